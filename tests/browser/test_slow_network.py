"""A field connection (issue 11, item 10): on a throttled link (250 kbit/s,
800 ms round trip) the second page a coordinator opens costs a small
fraction of the first, because static files are kept by the browser
(fingerprinted, cached for a year) and pages are compressed. Before, every
signed-in response was `no-store` and a second page cost about 318 KB."""

from __future__ import annotations

KBIT = 1000 / 8  # bytes per second in one kbit/s


class Transfer:
    """Bytes received over the network, from Chromium's own accounting
    (CDP Network.loadingFinished: encodedDataLength, headers included)."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.received: dict[str, int] = {}
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 800,
                "downloadThroughput": 250 * KBIT,
                "uploadThroughput": 250 * KBIT,
            },
        )

    def _finished(self, event) -> None:
        self.received[event["requestId"]] = int(event["encodedDataLength"])

    def take(self, page) -> int:
        """The bytes received since the last call."""
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # the last events arrive after "load"
        total = sum(self.received.values())
        self.received.clear()
        return total


def page_transfer_size(page) -> int:
    """The same from the page's side: navigation and resource timing."""
    return page.evaluate(
        """() => performance.getEntriesByType('navigation')
                 .concat(performance.getEntriesByType('resource'))
                 .reduce((sum, entry) => sum + entry.transferSize, 0)"""
    )


def test_a_second_page_costs_a_small_fraction_of_the_first(page, sign_in):
    page.set_default_timeout(90_000)
    transfer = Transfer(page)

    sign_in(page, "coordinator@example.org")  # the sign-in page, then home
    first = transfer.take(page)

    page.goto("/sessions")
    second = transfer.take(page)
    second_seen_by_page = page_transfer_size(page)

    print(f"\nfirst view (sign-in and home, cold cache): {first / 1000:.1f} kB")
    timing = second_seen_by_page / 1000
    print(f"second page (/sessions): {second / 1000:.1f} kB (resource timing: {timing:.1f} kB)")
    assert "Sessions" in page.title()
    assert second < first / 4, (first, second)
    assert second < 40_000, second  # a page of HTML, compressed; no asset again
    # What the page itself counts: once the service worker answers, the HTML
    # is counted as delivered to the page, uncompressed; still no asset again.
    assert second_seen_by_page < first / 2, (first, second_seen_by_page)
