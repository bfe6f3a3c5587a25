package dev.convoy.ingest;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects Vert.x's blocked-thread warnings so tests can fail on them. */
final class BlockedThreadWatch {

    private static final ListAppender<ILoggingEvent> EVENTS = new ListAppender<>();

    static {
        EVENTS.start();
        // Vert.x logs these under a logger whose package moved between versions: match on the class name.
        EVENTS.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return event.getLoggerName().endsWith("BlockedThreadChecker")
                        ? FilterReply.ACCEPT : FilterReply.DENY;
            }
        });
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(EVENTS);
    }

    private BlockedThreadWatch() {
    }

    static synchronized List<String> take() {
        List<String> messages;
        synchronized (EVENTS) { // the appender appends under its own lock
            messages = EVENTS.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            EVENTS.list.clear();
        }
        return messages;
    }
}
