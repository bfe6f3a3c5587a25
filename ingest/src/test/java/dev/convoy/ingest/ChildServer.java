package dev.convoy.ingest;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The service in a process of its own, so that a test can kill it with SIGKILL and start it again. */
final class ChildServer {

    private final Path dataDir;
    private final int port;
    private final int managementPort;
    private Process process;
    private final Map<String, String> env = new HashMap<>();

    ChildServer(Path dataDir, int port) throws IOException {
        this.dataDir = dataDir;
        this.port = port;
        // Kept across restarts, as the public port is.
        try (ServerSocket socket = new ServerSocket(0)) {
            this.managementPort = socket.getLocalPort();
        }
    }

    void start(String... extraFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-cp", System.getProperty("java.class.path")));
        String natives = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (natives != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + natives);
        }
        cmd.addAll(List.of(Main.class.getName(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--management-port", Integer.toString(managementPort), "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extraFlags));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(env);
        process = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("child.log").toFile()))
                .start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!live()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the child server did not start; see " + dataDir.resolve("child.log"));
            }
            Thread.sleep(50);
        }
    }

    /** Sets an environment variable for the next starts (e.g. the object store's credentials). */
    ChildServer env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, nothing but what is already on disk survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as Kubernetes sends it: the server drains, then exits; this does not wait. */
    void terminate() {
        process.destroy();
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /** Whether the process has exited within {@code timeout}. */
    boolean exited(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private boolean live() {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + managementPort + "/health/live").openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(1000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
