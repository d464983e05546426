"""Stockade as the identity provider of a team's own services.

Clients sign their requests with SigV4 (any AWS SDK signer, the service's own signing name) using
Stockade-issued keys; the service asks Stockade, per request, who signed it and whether they may
do the service's own action on its own resource (`Stockade.Authorize`). This package is the
service's side: `StockadeMiddleware` for ASGI apps (Starlette, FastAPI), `authorize_request` for
anything else, both over one `Authorizer` with a short-lived decision cache. It is a client
library: it imports nothing of Stockade's server. See docs/integrations.md.
"""

from stockade.integrations.asgi import StockadeMiddleware, public, requires
from stockade.integrations.authorizer import Authorizer
from stockade.integrations.cache import DecisionCache
from stockade.integrations.model import ClientRequest, Permission, Verdict
from stockade.integrations.plain import authorize_request

__all__ = [
    "Authorizer",
    "ClientRequest",
    "DecisionCache",
    "Permission",
    "StockadeMiddleware",
    "Verdict",
    "authorize_request",
    "public",
    "requires",
]
