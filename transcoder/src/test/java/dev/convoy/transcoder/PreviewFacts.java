package dev.convoy.transcoder;

import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Frame count and rate of a made video, counted by decoding it. */
final class PreviewFacts {

    private PreviewFacts() {
    }

    static Map<String, Object> of(Path video) throws Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.start();
            int frames = 0;
            while (grabber.grabImage() != null) {
                frames++;
            }
            return Map.of("frames", frames, "fps", grabber.getVideoFrameRate());
        }
    }
}
