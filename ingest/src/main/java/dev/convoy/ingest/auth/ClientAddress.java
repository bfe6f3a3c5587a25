package dev.convoy.ingest.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request came from, for rate limits: the TCP peer, unless the peer is one of
 * the configured proxies (a load balancer in front), in which case the right-most address of
 * {@code X-Forwarded-For} that is not itself a trusted proxy. The header is believed from
 * trusted proxies only: anyone else could write any address into it.
 */
public final class ClientAddress {

    private record Network(byte[] address, int prefixBits) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            return rest == 0 || ((candidate[full] ^ address[full]) & (0xff << (8 - rest))) == 0;
        }
    }

    private final List<Network> trusted;

    private ClientAddress(List<Network> trusted) {
        this.trusted = trusted;
    }

    /**
     * Trusting the proxies in {@code list}: comma-separated addresses or networks
     * ({@code 10.0.0.0/8}, {@code fd00::/8}, {@code 127.0.0.1}); empty trusts none.
     */
    public static ClientAddress trusting(String list) {
        List<Network> networks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split("/", 2);
            byte[] address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("--trusted-proxies: '" + trimmed + "' is not an IP address or network");
            }
            int bits;
            try {
                bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("--trusted-proxies: '" + trimmed + "' has a bad prefix length");
            }
            networks.add(new Network(address, bits));
        }
        return new ClientAddress(List.copyOf(networks));
    }

    /** The client of a request from {@code peer} with these {@code X-Forwarded-For} headers (maybe none). */
    public String of(String peer, List<String> forwardedFor) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (literal(hop) == null) {
                // Not an address: what is left of it was written by whoever sent the request.
                return i == hops.size() - 1 ? peer : hops.get(i + 1);
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return hops.isEmpty() ? peer : hops.get(0);
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        return bytes != null && trusted.stream().anyMatch(n -> n.contains(bytes));
    }

    /** The bytes of an IP address literal, or null for anything else (no name is ever looked up). */
    private static byte[] literal(String text) {
        String value = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = value.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = value.indexOf(':') >= 0 && value.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(value).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
