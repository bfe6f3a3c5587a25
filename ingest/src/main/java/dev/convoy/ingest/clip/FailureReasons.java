package dev.convoy.ingest.clip;

import java.util.Map;

/**
 * The sentence an owner reads for each reason a clip could not be made ready. The transcoder's
 * own message (server paths, FFmpeg's words) goes to the log only: it helps an operator and
 * tells an outsider how the server is built.
 */
public final class FailureReasons {

    private static final String UNKNOWN = "The clip could not be processed; its original is kept and can be downloaded.";

    private static final Map<String, String> SENTENCES = Map.ofEntries(
            Map.entry("empty_file", "The upload has no bytes."),
            Map.entry("not_a_video", "The file is not a video this server can read; its original is kept."),
            Map.entry("truncated", "The video is cut short (its index or its last part is missing); its original is kept."),
            Map.entry("no_video_stream", "The file has no picture (sound only?); its original is kept."),
            Map.entry("corrupt_bitstream", "No frame of the video could be decoded; its original is kept."),
            Map.entry("resolution_too_high", "The video is larger than 4096x2304; its original is kept."),
            Map.entry("too_long", "The video is longer than 2 hours; its original is kept."),
            Map.entry("frame_rate_too_high", "The video has more than 120 frames a second; its original is kept."),
            Map.entry("transcoder_crashed", "Processing this clip failed twice; its original is kept."),
            Map.entry("transcode_timeout", "Processing this clip took too long and was stopped; its original is kept."),
            Map.entry("too_large", "The joined upload is larger than this server accepts."),
            Map.entry("commit_failed", "The clip's previews could not be stored; its original is kept."));

    private FailureReasons() {
    }

    /** The owner's sentence for {@code reason}; a general one for a reason not listed. */
    public static String sentence(String reason) {
        return SENTENCES.getOrDefault(reason, UNKNOWN);
    }
}
