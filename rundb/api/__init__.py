"""The ``/rundb/api/v1/`` REST API (django-tastypie 0.15), compatible with Torrent Suite clients.

Layout
    auth.py         who is calling: ApiKey header/params, plugin keys, Basic, session (+CSRF)
    keys.py         issue_key(user) / verify_key(user, key); keys stored as sha256 hashes
    permissions.py  reads for any authenticated user, writes need rundb.<action>_<model>;
                    the ionusers group and its grants; plugin keys may only change their run
    base/           IonResource: batched dehydration, filters, paging, JSON errors, one
                    transaction per write request (its __init__ lists the modules)
    filters.py      query-string filters / order_by, checked hop by hop against resources
    paginator.py    meta {limit, next, offset, previous, total_count}; limit=0 means all rows
    serializers.py  JSON only, sorted keys
    planning.py     plan validation and creation of the run shell, EAS and samples
    computed.py     small pure functions behind computed fields
    resources/      one module per domain; api.py registers them; signals.py wires the key and
                    group signals (imported from rundb/admin.py, which Django loads at start-up)

Deliberate choices
    * Anonymous: the root, every schema, torrentsuite/version/, getsoftwareinfo/. Nothing else;
      loopback clients are not trusted.
    * 401 = no or wrong credentials (empty body, ``WWW-Authenticate: Basic realm="Torrent
      Suite"``); 403 ``{"error": ...}`` = authenticated but lacking the model permission.
    * Keys are hashed: they are shown once when issued (``manage.py apikey``, admin
      "regenerate" action, ``POST account/``); ``account.api_key`` is null.
    * ``limit=0`` returns every row; limits above 1000 are clamped to 1000.
    * ``format`` other than json is 400; unknown parameters are ignored; ``search`` is
      case-insensitive containment.
    * PUT and PATCH both keep the fields absent from the body. PUT to an unknown id creates the
      row only where the key is natural (rig names); elsewhere it is 404.
    * List-level PUT and DELETE are not offered (405); PATCH on a list is, in one transaction.
    * A plan body with both ``sample`` and ``barcodedSamples`` (the API examples send one) is accepted: the
      barcoded samples win and the reply carries ``Warnings.sample``.
    * Secrets (fields named like password / api key / secret / token / key hash, or listed in
      ``Meta.secret_fields``) are never filterable or orderable, at any relation hop (400), and
      dehydrate to null except for the resource's rule (default: superusers; rig.ftppassword).
    * Plugin keys: each launch issues one; the database keeps only its sha256 hash (on the run
      and on each job launched with it), the plain key is in the jobs' startplugin.json and
      launch script. It authenticates while one of its jobs is Queued/Started, so it dies once
      the job's final state is recorded (its own final callback included). pluginresult
      ``apikey`` is always null.
    * The URL names the row: on PUT/PATCH a body ``id`` / ``pk`` / ``resource_uri`` (or natural
      key) equal to the URL's row is ignored, a different one is 400; on POST they are ignored.
    * Hostile input is 4xx at the shared layer: bodies over ``ION_API_MAX_BODY`` (10 MB) 413;
      NUL characters (query, URL, body), unpaired surrogates, nesting deeper than 64,
      NaN/Infinity/1e400, and values whose JSON type cannot fit the field are 400.
"""
