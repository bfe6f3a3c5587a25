package dev.convoy.ingest.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one warning that is not one. Vert.x's metrics register each of their gauges (open
 * connections, requests in progress) once per HTTP server instance, and every instance feeds
 * one shared counter per meter; Micrometer warns at the second registration that it is ignored,
 * which is what is meant. An operator reads WARN as something to act on, so this one (for
 * {@code vertx.*} meters only) is denied; every other message passes untouched.
 */
public final class SharedGaugeFilter extends TurboFilter {

    private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
    private static final String MESSAGE = "This Gauge has been already registered";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // Micrometer formats the meter id into the message itself.
        if (format != null && format.startsWith(MESSAGE) && format.contains("name='vertx.") && LOGGER.equals(logger.getName())) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
