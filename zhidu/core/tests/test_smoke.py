import pytest


@pytest.mark.django_db
def test_login_page_renders_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
