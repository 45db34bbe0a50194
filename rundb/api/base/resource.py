"""``IonResource``: tastypie's ``ModelResource`` with this server's pieces mixed in (each
mixin's module says what it replaces or adds; see ``rundb/api/base/__init__.py``)."""
from tastypie.resources import ModelResource

from .dehydrate import DehydrateMixin
from .dispatch import DispatchMixin
from .fieldrules import FieldRulesMixin
from .hydrate import HydrateMixin
from .loaders import RelatedLoaderMixin
from .meta import IonMeta
from .reads import ReadMixin
from .uris import UriMixin
from .writes import WriteMixin


class IonResource(UriMixin, FieldRulesMixin, DispatchMixin, ReadMixin, DehydrateMixin, RelatedLoaderMixin,
                  HydrateMixin, WriteMixin, ModelResource):
    class Meta(IonMeta):
        abstract = True

    def __init__(self, api_name=None):
        super().__init__(api_name=api_name)
        self._steps = None  # compiled dehydration steps (dehydrate.py)
        self._list_uri = None  # uris.py
