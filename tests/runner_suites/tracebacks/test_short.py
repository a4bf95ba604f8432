import requests

from pact_unittest import PactTestCase, interaction


class ShortContract(PactTestCase):
    consumer = "TbWeb"
    provider = "TbService"

    @interaction(upon_receiving="a request for /never",
                 with_request={"method": "GET", "path": "/never"},
                 will_respond_with={"status": 200})
    def test_missing(self):
        pass  # the contract fails after the body returned


class RaisingContract(PactTestCase):  # a second class: Django's --parallel splits by class
    consumer = "TbWeb"
    provider = "TbService"

    @interaction(upon_receiving="a request for /x",
                 with_request={"method": "GET", "path": "/x",
                               "headers": {"Accept": "application/json"}},
                 will_respond_with={"status": 200})
    def test_body_raises(self):
        reply = requests.get(self.mock_service_uri + "/x", headers={"Accept": "text/html"},
                             timeout=5)
        reply.raise_for_status()  # the mock's 500: the contract failure's cause
