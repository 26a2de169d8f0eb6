"""Push one WhatsApp message, offline: the README example against a local Simulator.

Run ``python examples/quickstart.py``; with a real token, drop the Simulator and
``base_url`` and the same code talks to pickyassist.com.
"""

from __future__ import annotations

import asyncio

import picky_async as pa
from picky_async.testing import Simulator


async def main() -> None:
    async with Simulator(projects=1) as sim:
        token = sim.projects[0].token
        async with pa.PickyClient(token, base_url=sim.base_url) as client:
            result = await client.push([pa.Message("+91 98765 43210", "Your order has shipped")])
            print(f"queued on the phone as push {result.push_id}")


if __name__ == "__main__":
    asyncio.run(main())
