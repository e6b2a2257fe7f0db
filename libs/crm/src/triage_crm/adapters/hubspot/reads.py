"""HubSpot reads that are consistent at once, in bulk, and the per-batch view they fill.

HubSpot serves two kinds of reads. Reads by object id or by a unique property
(``GET``, ``batch/read`` with ``idProperty``) and the v4 association reads come
from the object store and see every write at once. The search endpoint reads an
index that lags writes by seconds. Anything crm-sink decides "does it exist
yet?" on is read the first way; search is used only to find companies nobody
keyed yet (made by people or other tools, long indexed).

``BatchView`` holds what one Kafka batch needs, read in a few bulk requests
before the batch's records are handled (``HubSpotCrm.prefetch``), and kept in
step with the process's own writes while the batch runs. What it does not hold
is read one at a time, the same way. The view may be up to ``VIEW_TTL_S`` old,
and other writers (another crm-sink instance, the admin process) write
meanwhile: what it shows to EXIST is trusted, what it shows to be ABSENT is
never a reason to create on its own: the adapter reads again right before the
create (a deal, a note) or creates with a unique key that resolves a conflict
(a company, a contact, a deal by its email's key).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.companies import PublicObjectSearchRequest
from hubspot.crm.objects import BatchReadInputSimplePublicObjectId

from triage_crm.adapters.remembered import VIEW_TTL_S

CHUNK = 100  # HubSpot's most inputs per batch read


@dataclass
class BatchView:
    """Consistent reads for one batch; a key present with ``None`` was read and does not exist."""

    contacts: dict[str, dict | None] = field(default_factory=dict)  # email -> {"id", "properties"}
    companies: dict[str, dict | None] = field(default_factory=dict)  # company key -> object
    found_by_search: dict[str, dict] = field(default_factory=dict)  # domain -> oldest unkeyed company
    deals: dict[str, str | None] = field(default_factory=dict)  # deal key -> deal id
    owned_deals: dict[str, list[dict]] = field(default_factory=dict)  # company/contact id -> its deals
    note_markers: dict[str, dict[str, str]] = field(default_factory=dict)  # contact id -> {note id: marker}
    deal_contacts: set[tuple[str, str]] = field(default_factory=set)  # (deal id, contact id) linked at create
    made_at: float = field(default_factory=time.monotonic)

    def stale(self) -> bool:
        return time.monotonic() - self.made_at > VIEW_TTL_S


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def plain(obj: Any) -> dict:
    return {"id": str(obj.id), "properties": dict(obj.properties or {})}


class HubSpotReads:
    """Bulk reads through the backend's request path (``call``: budget, Retry-After, error kinds)."""

    def __init__(self, crm: Any, call: Callable[..., Any]) -> None:
        self.batch_apis = {"contacts": crm.contacts.batch_api, "companies": crm.companies.batch_api,
                           "deals": crm.deals.batch_api, "notes": crm.objects.notes.batch_api,
                           "tickets": crm.tickets.batch_api}
        self.company_search = crm.companies.search_api
        self.association_batch = crm.associations.v4.batch_api
        self.call = call

    def by_id_property(self, object_type: str, id_property: str | None, ids: Iterable[str],
                       properties: list[str]) -> dict[str, dict]:
        """``batch/read`` (``idProperty``: a unique property, or None for object ids): value -> object."""
        found: dict[str, dict] = {}
        for part in chunks(sorted(set(ids))):
            request = BatchReadInputSimplePublicObjectId(id_property=id_property, inputs=[{"id": i} for i in part],
                                                         properties=properties)
            response = self.call(self.batch_apis[object_type].read,
                                 batch_read_input_simple_public_object_id=request)
            for obj in response.results or []:
                record = plain(obj)
                value = record["properties"].get(id_property) if id_property else record["id"]
                found[str(value).lower() if id_property == "email" else str(value)] = record
        return found

    def associated(self, from_type: str, ids: Iterable[str], to_type: str) -> dict[str, list[str]]:
        """v4 batch read of associations: from id -> associated ids (every id asked for is in the answer)."""
        found: dict[str, list[str]] = {}
        for part in chunks(sorted(set(ids))):
            request = BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": i} for i in part])
            response = self.call(self.association_batch.get_page, from_type, to_type,
                                 batch_input_public_fetch_associations_batch_request=request)
            found.update({i: [] for i in part})
            for result in response.results or []:
                found[str(result._from.id)] = [str(to.to_object_id) for to in result.to or []]
        return found

    def companies_by_domain(self, domains: list[str]) -> dict[str, dict]:
        """One search (``domain`` IN) per 100 domains: domain -> its oldest company."""
        found: dict[str, dict] = {}
        for part in chunks(sorted(set(domains))):
            after = None
            while True:
                request = PublicObjectSearchRequest(
                    filter_groups=[{"filters": [{"propertyName": "domain", "operator": "IN", "values": part}]}],
                    properties=["name", "domain"], limit=200, after=after,
                    sorts=[{"propertyName": "createdate", "direction": "ASCENDING"}])
                page = self.call(self.company_search.do_search, public_object_search_request=request)
                for obj in page.results or []:
                    found.setdefault(str(obj.properties.get("domain", "")).lower(), plain(obj))
                if page.paging is None or page.paging.next is None:
                    break
                after = page.paging.next.after
        return found

    def deals_of(self, owner_type: str, owner_ids: Iterable[str]) -> dict[str, list[dict]]:
        """Each company's (or contact's) deals with ``hs_is_closed`` and ``createdate``: two requests per 100."""
        links = self.associated(owner_type, owner_ids, "deals")
        deals = self.by_id_property("deals", None, [d for ids in links.values() for d in ids],
                                    ["hs_is_closed", "createdate"])
        return {owner: [deals[d] for d in ids if d in deals] for owner, ids in links.items()}

    def note_markers(self, contact_ids: Iterable[str], newest: int = CHUNK,
                     known: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, str]]:
        """The ``triage-<email id>`` markers on each contact's newest notes (a replay looks for a recent one).

        ``known``: notes already read (contact id -> {note id: marker}); only the others are read again, so
        checking a contact that has no new note costs one association read.
        """
        known = known or {}
        links = self.associated("contacts", contact_ids, "notes")
        recent = {c: sorted(ids, key=int)[-newest:] for c, ids in links.items()}
        unread = [n for c, ids in recent.items() for n in ids if n not in known.get(c, {})]
        notes = self.by_id_property("notes", None, unread, ["hs_note_body"])
        return {c: {n: known.get(c, {}).get(n) or marker(notes[n]["properties"].get("hs_note_body"))
                    for n in ids if n in notes or n in known.get(c, {})} for c, ids in recent.items()}


def marker(body: str | None) -> str:
    """The note body ends with ``Ref: triage-<email id>``."""
    return (body or "").rsplit("Ref: ", 1)[-1].strip()
