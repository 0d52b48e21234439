# The same test names in two classes, a parametrized test with one failing row, a skip,
# an xfail and an error in a fixture.
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture could not start")


class TestUsers:
    def test_list(self):
        assert [1, 2] == [1, 2]

    def test_get(self):
        assert {"id": 1}["id"] == 1


class TestGroups:
    def test_list(self):
        assert [1] == [1]

    def test_get(self):
        assert {"id": 1}["id"] == 2


@pytest.mark.parametrize("value,expected", [(1, 2), (2, 4), (3, 7)])
def test_double(value, expected):
    assert value * 2 == expected


@pytest.mark.skip(reason="not yet")
def test_later():
    pass


@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert False


def test_uses_broken(broken):
    pass
