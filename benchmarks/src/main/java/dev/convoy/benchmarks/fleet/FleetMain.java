package dev.convoy.benchmarks.fleet;

import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar benchmarks/target/convoy-fleet.jar [options]}: runs a {@link Fleet} and exits
 * with its status: 0 when nothing was lost, 1 when something was, 2 with a sentence for bad
 * options or when no server answers.
 */
public final class FleetMain {

    private static final Logger LOG = LoggerFactory.getLogger(FleetMain.class);

    private FleetMain() {
    }

    public static void main(String[] args) {
        List<String> options = Arrays.asList(args);
        if (options.contains("--help") || options.contains("-h")) {
            System.out.print(FleetOptions.USAGE);
            System.exit(0);
        }
        try {
            System.exit(Fleet.run(FleetOptions.parse(options), System.out));
        } catch (IllegalArgumentException e) {
            System.err.println("convoy-fleet: " + e.getMessage());
            System.exit(2);
        } catch (Exception | LinkageError e) {
            LOG.error("event=fatal", e);
            // Vert.x threads may still run and would keep the JVM alive.
            System.exit(1);
        }
    }
}
