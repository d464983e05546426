"""An invoice service whose callers are Stockade users: every request is SigV4-signed by the
caller (signing name `invoices`), and Stockade decides, with the caller's IAM policies, whether
they may do what the route needs.

Run it (with Stockade's URL and the service's own Stockade keys, which need
`stockade:Authorize`)::

    STOCKADE_ENDPOINT=http://127.0.0.1:8080 \
    INVOICES_ACCESS_KEY_ID=AKIA... INVOICES_SECRET_ACCESS_KEY=... \
    uvicorn app:create_app --factory --port 8000
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stockade.integrations import Authorizer, StockadeMiddleware, public, requires

RESOURCE = "arn:stockade:invoices:::invoice/{invoice_id}"

# The service's own data; a real one has a database.
INVOICES = {
    "42": {"id": "42", "customer": "Acme", "amount": 80, "paid": False},
    "43": {"id": "43", "customer": "Globex", "amount": 500, "paid": False},
}


def _caller(request: Request) -> str:
    """Who the middleware verified: Stockade's verdict is on request.state."""
    return str(request.state.stockade.principal_arn)


def _amount(request: Request) -> Mapping[str, str]:
    """Policies may limit payments by amount: `invoices:Amount` is this service's own key."""
    invoice = INVOICES.get(request.path_params["invoice_id"])
    return {"invoices:Amount": str(invoice["amount"])} if invoice else {}


@public
async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@requires("invoices:ListInvoices", "arn:stockade:invoices:::invoice/*")
async def list_invoices(request: Request) -> JSONResponse:
    return JSONResponse({"invoices": list(INVOICES.values()), "caller": _caller(request)})


@requires("invoices:GetInvoice", RESOURCE)
async def get_invoice(request: Request) -> JSONResponse:
    invoice = INVOICES.get(request.path_params["invoice_id"])
    if invoice is None:
        return JSONResponse({"error": "NotFound"}, status_code=404)
    return JSONResponse({"invoice": invoice, "caller": _caller(request)})


@requires("invoices:PayInvoice", RESOURCE, context=_amount)
async def pay_invoice(request: Request) -> JSONResponse:
    invoice = INVOICES.get(request.path_params["invoice_id"])
    if invoice is None:
        return JSONResponse({"error": "NotFound"}, status_code=404)
    payment = json.loads(await request.body() or b"{}")
    invoice["paid"] = True
    return JSONResponse({"invoice": invoice, "payment": payment, "caller": _caller(request)})


def build_app(authorizer: Authorizer) -> Starlette:
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/invoices", list_invoices),
            Route("/invoices/{invoice_id}", get_invoice),
            Route("/invoices/{invoice_id}/pay", pay_invoice, methods=["POST"]),
        ],
        middleware=[Middleware(StockadeMiddleware, authorizer=authorizer)],
    )


def create_app() -> Starlette:
    authorizer = Authorizer(
        os.environ["STOCKADE_ENDPOINT"],
        service="invoices",
        access_key_id=os.environ["INVOICES_ACCESS_KEY_ID"],
        secret_access_key=os.environ["INVOICES_SECRET_ACCESS_KEY"],
    )
    return build_app(authorizer)
