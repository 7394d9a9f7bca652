"""Who a request came from, behind the documented nginx and without it."""

import ipaddress

import pytest
from django.test import RequestFactory, override_settings

from yizhan.core.audit import client_ip

PROXY = {"TRUSTED_PROXY_NETWORKS": [ipaddress.ip_network("127.0.0.1/32")]}


def request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(**PROXY)
def test_behind_the_trusted_proxy_the_client_is_the_forwarded_address():
    assert client_ip(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"


@override_settings(**PROXY)
def test_a_forged_header_from_the_client_does_not_win():
    # The client sent "X-Forwarded-For: 10.9.9.9"; nginx appended the real address.
    assert client_ip(request("127.0.0.1", "10.9.9.9, 198.51.100.7")) == "198.51.100.7"


@override_settings(**PROXY)
def test_a_direct_request_cannot_name_its_own_address():
    assert client_ip(request("198.51.100.7", "127.0.0.1")) == "198.51.100.7"


@override_settings(**PROXY)
@pytest.mark.parametrize("header", ["", "not-an-ip", "127.0.0.1"])
def test_garbage_or_only_proxies_fall_back_to_the_socket(header):
    assert client_ip(request("127.0.0.1", header)) == "127.0.0.1"
