"""Batch loaders of related values for one page of rows: one query per relation (to-many URI
lists of several relations share one UNION ALL query), keyed by the owner row, never a query
per row."""
from .. import filters as flt
from .fastrows import fetch


class RelatedLoaderMixin:
    def related_queryset(self, name, page):
        """Queryset used to load nested rows of relation ``name`` (hook for select_related)."""
        res = self.related_resource(name)
        return res.get_object_list(page.request)

    def load_page_values(self, steps, objs, page):
        """Fill ``page.values[step name]`` for every step that needs a batch load."""
        pks = [o.pk for o in objs]
        batched = [s for s in steps if s.kind == "many" and flt.pair_sql_parts(self.model, s.attr) is not None]
        if batched:
            page.values.update(self._load_many_batched(batched, pks))
        for step in steps:
            if step in batched:
                continue
            loader = getattr(self, f"_load_{step.kind}", None)
            if loader is not None:
                page.values[step.name] = loader(step, objs, pks, page)

    def _load_many_batched(self, steps, pks):
        """URI lists of several to-many relations in one UNION ALL query (per 1000 owners)."""
        groups = {s.name: {pk: [] for pk in pks} for s in steps}
        rows = flt.pairs_union(self.model, [s.attr for s in steps], pks)
        by_index = {}
        for index, owner, related, sort_key in rows:
            by_index.setdefault(index, {}).setdefault(owner, []).append((sort_key, related))
        for index, step in enumerate(steps):
            descending = flt.pair_sql_parts(self.model, step.attr)[-1]
            target = groups[step.name]
            uri = step.res.uri_for_pk
            for owner, pairs in by_index.get(index, {}).items():
                pairs.sort(reverse=descending)
                target[owner] = [uri(related) for _, related in pairs]
        return groups

    def _load_many(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        grouped = {pk: [] for pk in pks}
        for owner, pk in flt.related_pairs_query(self.model, step.attr, pks):
            grouped.setdefault(owner, []).append(res.uri_for_pk(pk))
        return grouped

    def _load_many_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        grouped = flt.related_objects(self.model, step.attr, pks, self.related_queryset(step.name, page), fetch)
        flat = [o for group in grouped.values() for o in group]
        unique = list({id(o): o for o in flat}.values())
        dehydrated = dict(zip(map(id, unique), res.dehydrate_objects(unique, page.request, page.for_list)))
        return {owner: [dehydrated[id(o)] for o in group] for owner, group in grouped.items()}

    def _load_one_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        cached, missing = {}, set()
        for obj in objs:
            fk = getattr(obj, step.conv)
            if fk is None:
                continue
            if step.rel.is_cached(obj):
                cached[fk] = getattr(obj, step.attr)
            else:
                missing.add(fk)
        if missing:
            for rel_obj in fetch(self.related_queryset(step.name, page).filter(pk__in=missing)):
                cached[rel_obj.pk] = rel_obj
        related = list(cached.values())
        page.extra.setdefault("objects", {})[step.name] = cached  # computed fields may reuse them
        return dict(zip((o.pk for o in related), res.dehydrate_objects(related, page.request, page.for_list)))

    def _rev_firsts(self, step, pks, page):
        """{owner pk: its first related row} for a reverse to-one (one row per owner is shown)."""
        attname = step.rel.field.attname
        qs = self.related_queryset(step.name, page).filter(flt.keys_in(attname, pks))
        firsts = {}
        for obj in fetch(qs):
            owner = getattr(obj, attname)
            if owner not in firsts:
                firsts[owner] = obj
        return firsts

    def _load_one_rev(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        return {owner: res.uri_for_pk(obj.pk) for owner, obj in self._rev_firsts(step, pks, page).items()}

    def _load_one_rev_full(self, step, objs, pks, page):
        res = self.related_resource(step.name)
        firsts = self._rev_firsts(step, pks, page)
        related = list(firsts.values())
        dehydrated = dict(zip(map(id, related), res.dehydrate_objects(related, page.request, page.for_list)))
        return {owner: dehydrated[id(o)] for owner, o in firsts.items()}

    def _load_one_attr(self, step, objs, pks, page):
        # A to-one through a property: no batching possible; resources should avoid it in lists.
        res = self.related_resource(step.name)
        out = {}
        for obj in objs:
            target = getattr(obj, step.attr, None)
            out[obj.pk] = None if target is None else res.uri_for_pk(target.pk)
        return out
