import time
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

def walk(patterns, prefix="", ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            n = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p.url_patterns, prefix + str(p.pattern), n)
        else:
            yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern), p

def test_explore(django_user_model, settings, request, capsys):
    t0 = time.time()
    cast = {r: request.getfixturevalue(r) for r in ["student","member","visitor","committee_trained","committee_untrained","other_committee","su_staff","society","other_society"]}
    print("cast", time.time() - t0)
    from quad.societies import services
    from quad.societies.models import Category, CommitteeTerm
    soc = cast["society"]
    item = services.add_faq_item(soc, actor=cast["committee_trained"], question="Q?", answer="A")
    term = CommitteeTerm.objects.filter(society=soc).exclude(user__in=[cast["committee_trained"], cast["committee_untrained"]]).first()
    pos = soc.positions.first()
    kw = {"slug": soc.slug, "item_id": item.pk, "term_id": term.pk, "position_id": pos.pk, "key": "bad-key", "uidb36": "zz", "provider_id": "university", "path": "x.png"}
    import inspect
    rows = []
    for name, route, p in walk(get_resolver().url_patterns):
        keys = list(p.pattern.regex.groupindex)
        try:
            url = reverse(name, kwargs={k: kw[k] for k in keys}) if name else "/" + route
        except Exception as e:
            url = None
        for method in ("get", "post"):
            res = []
            for role in ["anonymous","visitor","student","member","committee_trained","committee_untrained","other_committee","su_staff"]:
                c = Client()
                if role != "anonymous":
                    c.force_login(cast[role])
                try:
                    r = getattr(c, method)(url)
                    s = str(r.status_code)
                    if r.status_code in (301,302):
                        s += ">" + r["Location"][:40]
                except Exception as e:
                    s = "EXC " + type(e).__name__ + str(e)[:40]
                res.append(s)
            rows.append((name, method, url, res))
    with capsys.disabled():
        for r in rows:
            print(r[0], r[1], r[2])
            for x in r[3]:
                print("     ", x)
    print("total", time.time() - t0)
