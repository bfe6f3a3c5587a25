package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_NONE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_close;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.Frame;

/**
 * A preview that is the clip's own streams, copied into a faststart MP4 without decoding or
 * encoding: for a clip that already is what the preview would be (H.264 that browsers play,
 * no larger, no faster and hardly more bits than the preview, upright, with no audio or with
 * AAC of no more channels). Encoding such a clip again would only cost time and lose detail.
 * A fleet's small incident clips are like this; for them the preview was most of a pass's cost.
 *
 * <p>The frames of the pass are not needed: the packets are read from the source again when the
 * pass ends, which costs a read of a small file and no decoding. Only the clip's video stream and
 * its audio stream are copied, the ones the probe facts describe (a camera's data tracks stay in
 * the original), from the first keyframe on. Should the copy fail, the preview is encoded after
 * all, from a second decode of the (small) clip: the clip itself decoded whole.
 */
final class CopiedPreview implements FrameSink {

    /** The encoder a copied preview names in the manifest: none ran. */
    static final String COPY = "copy";

    /** H.264 profiles every browser plays: 8-bit 4:2:0. */
    private static final Set<String> PLAYABLE = Set.of("Constrained Baseline", "Baseline", "Main", "High");

    private final PreviewSpec spec;
    private final TranscodeJob job;
    private final Path file;
    private final Dimensions size;
    /** The clip is still arriving: its bitrate is known only at its end, and checked then. */
    private final boolean bitrateUnchecked;
    private final ProbeFacts facts;
    private long lastUs;

    private CopiedPreview(PreviewSpec spec, Setup setup) {
        this.spec = spec;
        this.job = setup.job();
        this.file = setup.file(spec.fileName());
        this.size = new Dimensions(setup.facts().width(), setup.facts().height());
        this.facts = setup.facts();
        this.bitrateUnchecked = setup.arriving() != null;
    }

    /** A copied preview for {@code spec} when the clip already fits it; null when it must be encoded. */
    static CopiedPreview ifFits(PreviewSpec spec, Setup setup) throws IOException {
        if (setup.arriving() != null) {
            // Neither its size nor its duration is known yet: the bitrate is checked when the pass ends.
            return fitsShape(spec, setup.facts()) ? new CopiedPreview(spec, setup) : null;
        }
        return fits(spec, setup.facts(), Files.size(setup.job().source())) ? new CopiedPreview(spec, setup) : null;
    }

    static boolean fits(PreviewSpec spec, ProbeFacts facts, long bytes) {
        return fitsShape(spec, facts) && fitsBitrate(spec, facts, bytes);
    }

    /** Everything but the bitrate: a codec and profile browsers play, upright, no larger and no faster than the preview. */
    private static boolean fitsShape(PreviewSpec spec, ProbeFacts facts) {
        if (!"h264".equals(facts.videoCodec()) || facts.profile() == null || !PLAYABLE.contains(facts.profile())
                || facts.rotation() != 0) {
            return false;
        }
        if (Math.min(facts.width(), facts.height()) > spec.height() || facts.fps() <= 0 || facts.fps() > spec.maxFps() + 0.5) {
            return false;
        }
        if (facts.hasAudio() && (!"aac".equals(facts.audioCodec()) || facts.audioChannels() > spec.audioChannels())) {
            return false;
        }
        return true;
    }

    /** At most the encoder's own ceiling for the preview: the stated bitrate, or bytes over duration. */
    private static boolean fitsBitrate(PreviewSpec spec, ProbeFacts facts, long bytes) {
        long bitrate = facts.bitrate() > 0 ? facts.bitrate() : facts.durationMs() > 0 ? bytes * 8_000 / facts.durationMs() : 0;
        // The encoder's own ceiling is half again the preview's bitrate (Codecs.tuneH264): a copy may be no larger.
        long ceiling = (spec.videoBitrate() + (facts.hasAudio() ? spec.audioBitrate() : 0)) * 3L / 2;
        return bitrate > 0 && bitrate <= ceiling;
    }

    @Override
    public void accept(Frame picture, long tUs) {
        // The packets are copied at the end; decoded pictures are not needed, only how long the clip runs.
        lastUs = tUs;
    }

    @Override
    public List<Rendition> finish() throws IOException {
        if (bitrateUnchecked && !fitsBitrate(spec, facts.withDurationMs(RenditionPipeline.measuredDurationMs(lastUs, facts.fps())),
                Files.size(job.source()))) {
            return encoded(null);
        }
        try {
            copy();
            return List.of(Rendition.video(spec.name(), file, "video/mp4", size, COPY));
        } catch (IOException copyFailed) {
            // The clip decoded whole, so an encoded preview can be made: a second decode of a small clip, not a failed clip.
            Files.deleteIfExists(file);
            return encoded(copyFailed);
        }
    }

    /** The preview encoded after all, from a second decode of the clip (now whole on disk). */
    private List<Rendition> encoded(IOException copyFailed) throws IOException {
        try {
            TranscodeResult encoded = new RenditionPipeline().run(new TranscodeJob(job.source(), job.outputDir(), job.posterAtMs(),
                    job.spec().withPreviews(List.of(spec)).withSinks(List.of(PreviewSink.ENCODED_NAME))));
            return encoded.renditions();
        } catch (TranscodeException e) {
            IOException failure = copyFailed != null ? copyFailed : new IOException("The preview could not be encoded: " + e.getMessage(), e);
            if (copyFailed != null) {
                copyFailed.addSuppressed(e);
            }
            throw failure;
        }
    }

    /** Copies the clip's video stream and its audio stream, if any, packet for packet into a faststart MP4. */
    private void copy() throws IOException {
        // FFmpeg's own remux: JavaCV's recorder keeps the source's codec tags, which MP4 refuses for MPEG-TS streams.
        AVFormatContext in = new AVFormatContext(null);
        check(avformat_open_input(in, job.source().toString(), null, null), "opening the clip");
        try {
            check(avformat_find_stream_info(in, (PointerPointer<?>) null), "reading the clip's streams");
            copy(in);
        } finally {
            avformat_close_input(in);
        }
    }

    /** The first stream of {@code type} with a known codec, as the pass's grabber takes it (the one the probe facts describe); -1 if none. */
    private static int first(AVFormatContext in, int type) {
        for (int i = 0; i < in.nb_streams(); i++) {
            AVCodecParameters par = in.streams(i).codecpar();
            if (par.codec_type() == type && par.codec_id() != AV_CODEC_ID_NONE) {
                return i;
            }
        }
        return -1;
    }

    private void copy(AVFormatContext in) throws IOException {
        int video = first(in, AVMEDIA_TYPE_VIDEO);
        int audio = first(in, AVMEDIA_TYPE_AUDIO);
        if (video < 0 || in.streams(video).codecpar().codec_id() != AV_CODEC_ID_H264
                || (audio >= 0 && in.streams(audio).codecpar().codec_id() != AV_CODEC_ID_AAC)) {
            throw new IOException("the clip's streams are not the H.264 and AAC its probe found");
        }
        AVFormatContext out = new AVFormatContext(null);
        check(avformat_alloc_output_context2(out, null, "mp4", file.toString()), "setting up the MP4");
        AVPacket packet = av_packet_alloc();
        try {
            int[] to = new int[in.nb_streams()];
            Arrays.fill(to, -1);
            long[] lastDts = {AV_NOPTS_VALUE, AV_NOPTS_VALUE};
            for (int from : audio >= 0 ? new int[] {video, audio} : new int[] {video}) {
                AVStream stream = avformat_new_stream(out, null);
                check(avcodec_parameters_copy(stream.codecpar(), in.streams(from).codecpar()), "copying stream parameters");
                // The source container's tag (an MPEG-TS stream type, say) means nothing in MP4: the muxer picks its own.
                stream.codecpar().codec_tag(0);
                stream.time_base(in.streams(from).time_base());
                to[from] = stream.index();
            }
            AVIOContext pb = new AVIOContext(null);
            check(avio_open(pb, file.toString(), AVIO_FLAG_WRITE), "creating the preview file");
            out.pb(pb);
            AVDictionary options = new AVDictionary(null);
            av_dict_set(options, "movflags", "+faststart", 0);
            // The preview's timeline starts at 0 like the clip's (an MPEG-TS clock starts anywhere).
            av_dict_set(options, "avoid_negative_ts", "make_zero", 0);
            try {
                check(avformat_write_header(out, options), "writing the preview's header");
            } finally {
                av_dict_free(options);
            }
            boolean keyFrameSeen = false;
            int read;
            while ((read = av_read_frame(in, packet)) >= 0) {
                int from = packet.stream_index();
                // Before the first keyframe nothing can be shown (a TS cut mid-GOP): start the preview at it, as a decoder does.
                keyFrameSeen |= from == video && (packet.flags() & AV_PKT_FLAG_KEY) != 0;
                if (from >= to.length || to[from] < 0 || !keyFrameSeen) {
                    av_packet_unref(packet);
                    continue;
                }
                av_packet_rescale_ts(packet, in.streams(from).time_base(), out.streams(to[from]).time_base());
                // MP4 refuses a decoding time that does not increase; a camera's stream that repeats one
                // is moved on by a tick, as the FFmpeg command line does, rather than failing the clip.
                long dts = monotonic(packet.dts(), lastDts[to[from]]);
                if (dts != packet.dts()) {
                    packet.dts(dts);
                    if (packet.pts() != AV_NOPTS_VALUE && packet.pts() < dts) {
                        packet.pts(dts);
                    }
                }
                lastDts[to[from]] = dts;
                packet.stream_index(to[from]);
                packet.pos(-1);
                // Takes the packet's data; the muxer inserts the bitstream filters MP4 needs (ADTS to raw AAC).
                check(av_interleaved_write_frame(out, packet), "writing the preview");
            }
            if (read != AVERROR_EOF) {
                check(read, "reading the clip");
            }
            check(av_write_trailer(out), "finishing the preview");
        } finally {
            av_packet_free(packet);
            if (out.pb() != null && !out.pb().isNull()) {
                avio_close(out.pb());
                out.pb(null);
            }
            avformat_free_context(out);
        }
    }

    /** {@code dts} moved past {@code last} when it does not follow it; unknown times stay unknown. */
    static long monotonic(long dts, long last) {
        if (dts == AV_NOPTS_VALUE || last == AV_NOPTS_VALUE || dts > last) {
            return dts;
        }
        return last + 1;
    }

    private static void check(int status, String what) throws IOException {
        if (status < 0) {
            byte[] text = new byte[256];
            av_strerror(status, text, text.length);
            String message = new String(text, StandardCharsets.US_ASCII).replaceAll("\\x00.*", "").trim();
            throw new IOException(what + " failed while copying the clip into its preview: " + message);
        }
    }

    @Override
    public void close() {
        // Nothing held between calls: finish opens and frees its own demuxer and muxer.
    }
}
