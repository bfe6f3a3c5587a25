package dev.convoy.ingest.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * This node's name among several, and how to reach the others. Either a fixed list
 * ({@code a=http://10.0.0.1:8080,b=…}) or a URL with {@code {node}} in its host, as a
 * StatefulSet's pods are reached through its headless Service
 * ({@code http://{node}.convoy-peers:8080}); then the host without {@code {node}.} names
 * every ready pod at once. No name: a single node, nothing is forwarded.
 */
public final class Peers {

    /** A node name is a DNS label (a StatefulSet pod name is one). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String NODE = "{node}";

    private final String self;
    private final Map<String, URI> fixed;
    private final String template;

    private Peers(String self, Map<String, URI> fixed, String template) {
        this.self = self;
        this.fixed = fixed;
        this.template = template;
    }

    /** A single node: no name, no peers. */
    public static Peers none() {
        return new Peers("", Map.of(), null);
    }

    /**
     * Reads {@code --node-id} and {@code --peers}; throws {@link IllegalArgumentException} with
     * a sentence naming the setting when either is malformed.
     */
    public static Peers parse(String nodeId, String peers) {
        if (nodeId.isEmpty()) {
            if (!peers.isEmpty()) {
                throw new IllegalArgumentException("--peers needs --node-id: name this node among its peers");
            }
            return none();
        }
        if (!NAME.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("--node-id must be a lower-case DNS label (letters, digits, '-'), not '" + nodeId + "'");
        }
        if (peers.contains(NODE)) {
            URI uri = uri(peers.replace(NODE, "node"), "--peers");
            if (uri.getHost() == null || !peers.contains("://" + NODE + ".")) {
                throw new IllegalArgumentException("--peers: {node} must start the host, as in http://{node}.convoy-peers:8080");
            }
            return new Peers(nodeId, Map.of(), peers.endsWith("/") ? peers.substring(0, peers.length() - 1) : peers);
        }
        Map<String, URI> fixed = new LinkedHashMap<>();
        for (String entry : peers.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--peers: each peer is NAME=URL with NAME a node id, not '" + entry.trim() + "'");
            }
            fixed.put(name, uri(entry.substring(eq + 1).trim(), "--peers " + name));
        }
        return new Peers(nodeId, Map.copyOf(fixed), null);
    }

    private static URI uri(String value, String setting) {
        try {
            URI uri = URI.create(value);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " must be an http URL such as http://10.0.0.2:8080, not '" + value + "'", e);
        }
    }

    /** This node's name; empty for a single node. */
    public String self() {
        return self;
    }

    /** Whether this node is one of several (it has a name). */
    public boolean clustered() {
        return !self.isEmpty();
    }

    /** Whether {@code node} names this node. */
    public boolean isSelf(String node) {
        return self.equals(node);
    }

    /** The base URL of peer {@code node}, or null when no peer has that name (or it is this node). */
    public URI urlOf(String node) {
        if (node == null || isSelf(node) || !NAME.matcher(node).matches()) {
            return null;
        }
        if (template != null) {
            return URI.create(template.replace(NODE, node));
        }
        return fixed.get(node);
    }

    /**
     * The base URLs of every other node now (for asking all of them): the fixed list, or every
     * address the headless Service's name has (this node's own may be among them).
     */
    public Future<List<URI>> all(Vertx vertx) {
        if (!clustered()) {
            return Future.succeededFuture(List.of());
        }
        if (template == null) {
            return Future.succeededFuture(List.copyOf(fixed.values()));
        }
        URI sample = URI.create(template.replace(NODE, "node"));
        String service = sample.getHost().substring("node.".length());
        return vertx.executeBlocking(() -> Arrays.stream(InetAddress.getAllByName(service))
                .map(a -> URI.create(sample.getScheme() + "://" + (a.getHostAddress().contains(":")
                        ? "[" + a.getHostAddress() + "]" : a.getHostAddress()) + ":" + port(sample)))
                .toList(), false);
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : 80;
    }
}
