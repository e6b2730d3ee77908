"""A built-in simulator that speaks each network's real wire format.

The demo workspace and the end-to-end tests run the real connectors against it;
only the transport differs: in-process through :class:`SimTransport` (an httpx
transport) or over loopback HTTP through :class:`SimServer`.
"""

from smm_desk.sim.world import Fault, SimWorld

__all__ = ["Fault", "SimWorld"]
