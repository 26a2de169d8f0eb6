"""Numbers read with the ``phonenumbers`` library, the optional ``numbers`` extra.

It knows each region's national formats (trunk prefixes such as the ``0``
of ``020 7946 0958`` in Great Britain, international call prefixes such as
``00``) and which numbers exist, which the hand-written rule of
:mod:`._numbers` cannot know.
"""

from __future__ import annotations

from ._errors import InvalidNumber

try:
    import phonenumbers
except ImportError:  # the extra is not installed: the hand-written rule alone applies
    phonenumbers = None  # type: ignore[assignment]

__all__ = ["installed", "known_region", "parse_number"]

_INSTALL = "pip install 'picky_async[numbers]'"

# Why the library's parser refused a text, by its error type.
_PARSE_ERRORS = {
    0: "has an unknown country code",  # INVALID_COUNTRY_CODE
    1: "is not a phone number",  # NOT_A_NUMBER
    2: "is too short",  # TOO_SHORT_AFTER_IDD
    3: "is too short",  # TOO_SHORT_NSN
    4: "is too long",  # TOO_LONG
}
# Why a parsed number is not possible, by ``is_possible_number_with_reason``.
_IMPOSSIBLE = {
    1: "has an unknown country code",  # INVALID_COUNTRY_CODE
    2: "is too short for {region}",  # TOO_SHORT
    3: "is too long for {region}",  # TOO_LONG
    4: "is a local number; give its area code too",  # IS_POSSIBLE_LOCAL_ONLY
    5: "has no valid length for {region}",  # INVALID_LENGTH
}


def installed() -> bool:
    """Whether the ``numbers`` extra is installed."""
    return phonenumbers is not None


def known_region(region: str) -> str:
    """``region`` as the library spells it: an ISO 3166 two-letter code, upper case.

    Raises:
        TypeError: for a region that is not a str.
        ImportError: when the ``numbers`` extra is not installed.
        ValueError: for a code the library knows no numbers of.
    """
    if not isinstance(region, str):
        raise TypeError(f"default_region must be a str such as 'IN', not {type(region).__name__}")
    if phonenumbers is None:
        raise ImportError(f"default_region needs the phonenumbers library: {_INSTALL}")
    code = region.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"default_region must be an ISO 3166 two-letter region such as 'IN' or 'GB', "
            f"got {region!r}"
        )
    return code


def parse_number(text: str, region: str | None) -> str:
    """``text`` (national in ``region``, or international with ``+``) as digits with country code.

    Raises:
        InvalidNumber: for a number that cannot exist, saying why.
    """
    assert phonenumbers is not None  # callers check installed() or known_region() first
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        reason = _PARSE_ERRORS.get(exc.error_type, "is not a phone number")
        raise InvalidNumber(f"{text!r} {reason}") from exc
    where = region or f"country code +{parsed.country_code}"
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        reason = _IMPOSSIBLE.get(possible, "is not a phone number")
        raise InvalidNumber(f"{text!r} {reason.format(region=where)}")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{text!r} is not a valid number for {where}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)[1:]
