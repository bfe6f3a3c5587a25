package dev.convoy.transcoder;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The kinds of frame sink a spec can name: the built-ins, then any {@link FrameSink.Factory}
 * on the classpath. Looked up by name because a spec crosses into the worker process as text.
 */
final class FrameSinks {

    private static final Map<String, FrameSink.Factory> BY_NAME = load();

    private FrameSinks() {
    }

    /** The kind named {@code name}; an unknown name is a mistake in the spec. */
    static FrameSink.Factory named(String name) {
        FrameSink.Factory factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("no frame sink is named '" + name + "'; known: " + BY_NAME.keySet());
        }
        return factory;
    }

    private static Map<String, FrameSink.Factory> load() {
        Map<String, FrameSink.Factory> byName = new LinkedHashMap<>();
        for (FrameSink.Factory builtIn : List.of(StillsSink.FACTORY, StoryboardSink.FACTORY, PreviewSink.FACTORY,
                PreviewSink.ENCODED_FACTORY)) {
            add(byName, builtIn);
        }
        // The class loader that loaded the transcoder sees the whole classpath, in the service and in a worker alike.
        for (FrameSink.Factory found : ServiceLoader.load(FrameSink.Factory.class, FrameSink.class.getClassLoader())) {
            add(byName, found);
        }
        return Collections.unmodifiableMap(byName);
    }

    private static void add(Map<String, FrameSink.Factory> byName, FrameSink.Factory factory) {
        FrameSink.Factory before = byName.putIfAbsent(factory.name(), factory);
        if (before != null) {
            throw new IllegalStateException("two frame sinks are named '" + factory.name() + "': "
                    + before.getClass().getName() + " and " + factory.getClass().getName());
        }
    }
}
