package dev.convoy.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressTest {

    private static final ClientAddress BEHIND_LB = ClientAddress.trusting("10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.1");

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            // peer                | X-Forwarded-For                      | client
            "203.0.113.9           | 198.51.100.1                         | 203.0.113.9",
            "10.1.2.3              | NONE                                 | 10.1.2.3",
            "10.1.2.3              | 198.51.100.1                         | 198.51.100.1",
            "10.1.2.3              | 1.1.1.1, 198.51.100.1                | 198.51.100.1",
            "10.1.2.3              | 198.51.100.1, 10.9.9.9               | 198.51.100.1",
            "192.0.2.1             | 198.51.100.1, 10.9.9.9, 192.0.2.1    | 198.51.100.1",
            "10.1.2.3              | 10.4.4.4, 10.5.5.5                   | 10.4.4.4",
            "10.1.2.3              | not-an-address                       | 10.1.2.3",
            "10.1.2.3              | forged, 10.9.9.9                     | 10.9.9.9",
            "2001:db8:ffff:1::5    | 2001:db8:1:2::7                      | 2001:db8:1:2::7",
            "192.0.2.2             | 198.51.100.1                         | 192.0.2.2"})
    void theClientIsThePeerUnlessATrustedProxySaysWhoItForwardsFor(String peer, String forwarded, String client) {
        assertThat(BEHIND_LB.of(peer, forwarded == null ? List.of() : List.of(forwarded))).isEqualTo(client);
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.example", "10.0.0.0/33", "10.0.0.0/x", "::1/129"})
    void aBadProxyListIsRefusedWithTheEntry(String entry) {
        assertThatThrownBy(() -> ClientAddress.trusting(entry)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry.split("/")[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"198.51.100.1", "10.0.0.1"})
    void withNoProxyTrustedTheHeaderIsIgnored(String forwarded) {
        assertThat(ClientAddress.trusting("").of("127.0.0.1", List.of(forwarded))).isEqualTo("127.0.0.1");
    }
}
