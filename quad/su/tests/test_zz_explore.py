import time
import pytest
from django.test import Client

@pytest.mark.parametrize("i", range(40))
def test_t(db, request, i):
    t0 = time.time()
    s = request.getfixturevalue("society")
    request.getfixturevalue("other_society")
    t1 = time.time()
    c = Client(); c.force_login(request.getfixturevalue("committee_trained"))
    r = c.get(f"/societies/{s.slug}/manage/committee/")
    if i % 10 == 0: print(t1 - t0, time.time() - t1)
