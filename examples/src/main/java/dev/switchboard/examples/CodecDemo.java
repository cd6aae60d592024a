package dev.switchboard.examples;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.Pcm16;
import dev.switchboard.codec.Reframer;
import dev.switchboard.codec.Resampler;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.codec.Wav;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * What a phone call does to an agent's voice, and back: a 24 kHz voice-like signal is sent to the
 * phone as 8 kHz μ-law in 20 ms frames, then brought back to 24 kHz, the way a call bridges an
 * OpenAI-style agent to Twilio. Prints the delay, the level and noise of the round trip, how well
 * content above the phone band is kept from folding into it (against naive decimation), and the
 * cost per frame; writes the three stages as WAV files. Needs no network and no credentials.
 */
public final class CodecDemo {
  private static final int AGENT_RATE = 24000;

  private CodecDemo() {}

  /**
   * Runs the demo.
   *
   * @param args optional: the folder for the WAV files (default {@code target/codec-demo})
   * @throws IOException if the WAV files cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/codec-demo");
    Files.createDirectories(dir);
    System.out.println("Switchboard codec demo: an agent's 24 kHz voice over an 8 kHz phone line");

    // 2 s of a voiced sound: 140 Hz with harmonics up to 11 kHz, as a synthetic voice has.
    short[] voice = voiceLike(2 * AGENT_RATE);
    byte[] agentPcm = new byte[2 * voice.length];
    Pcm16.toBytes(voice, 0, agentPcm, 0, voice.length);

    // Run the call a few times so the JIT has compiled the hot paths; report the last run.
    Call call = null;
    for (int run = 0; run < 200; run++) {
      call = bridge(agentPcm);
    }
    ByteArrayOutputStream phone = call.phone;
    ByteArrayOutputStream back = call.back;
    Transcoder toPhone = call.toPhone;
    Transcoder fromPhone = call.fromPhone;
    long[] nanos = call.nanos;
    int[] frames = {call.frames};

    Wav.of(AudioFormat.PCM16_24K, agentPcm).write(dir.resolve("1-agent-24k.wav"));
    Wav.of(AudioFormat.PCMU_8K, phone.toByteArray()).write(dir.resolve("2-phone-8k-ulaw.wav"));
    Wav.of(AudioFormat.PCM16_24K, back.toByteArray()).write(dir.resolve("3-back-24k.wav"));

    double delayMs = (toPhone.delayFrames() * 3 + fromPhone.delayFrames()) * 1000.0 / AGENT_RATE;
    print("20 ms phone frames", "%d", frames[0]);
    print(
        "added delay",
        "%.3f ms to the phone + %.3f ms back",
        toPhone.delayFrames() / 8.0,
        fromPhone.delayFrames() / 24.0);
    print(
        "cost per 20 ms frame",
        "%.0f ns to the phone, %.0f ns back (after warm-up; JMH: docs/PERFORMANCE.md)",
        nanos[0] / (double) frames[0],
        nanos[1] / (double) frames[0]);

    // A 1 kHz tone through the whole round trip: level kept, μ-law noise about 38 dB down.
    short[] tone = sine(1000, AGENT_RATE, 10000, AGENT_RATE);
    short[] tripped = roundTrip(tone);
    int delay = (int) Math.round(delayMs * AGENT_RATE / 1000);
    double signal = 0;
    double noise = 0;
    for (int i = 2400; i < tone.length; i++) {
      signal += (double) tone[i - delay] * tone[i - delay];
      double e = tripped[i] - tone[i - delay];
      noise += e * e;
    }
    print(
        "1 kHz tone round trip",
        "signal-to-noise %.1f dB (G.711's own limit is ~38 dB)",
        10 * Math.log10(signal / noise));

    // A 5 kHz whistle is above the phone band: it must vanish, not fold to 3 kHz.
    short[] whistle = sine(5000, AGENT_RATE, 10000, AGENT_RATE);
    Resampler down = Resampler.create(AGENT_RATE, 8000);
    short[] filtered = new short[down.outputLength(whistle.length)];
    down.process(whistle, 0, whistle.length, filtered, 0);
    short[] naive = new short[whistle.length / 3];
    for (int i = 0; i < naive.length; i++) {
      naive[i] = whistle[3 * i];
    }
    print(
        "5 kHz whistle at 8 kHz",
        "folds to 3 kHz at %+.1f dB with naive decimation, %+.1f dB here",
        relativeDb(naive, 80, whistle),
        relativeDb(filtered, 80, whistle));
    System.out.println(
        "  wrote " + dir.resolve("1-agent-24k.wav") + ", 2-phone-8k-ulaw.wav, 3-back-24k.wav");
  }

  /** One call's worth of audio through both directions, and what it produced. */
  private static final class Call {
    final Transcoder toPhone = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
    final Transcoder fromPhone = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
    final ByteArrayOutputStream phone = new ByteArrayOutputStream();
    final ByteArrayOutputStream back = new ByteArrayOutputStream();
    final long[] nanos = new long[2];
    int frames;
  }

  private static Call bridge(byte[] agentPcm) {
    Call call = new Call();
    Reframer phoneFrames = Reframer.create(AudioFormat.PCMU_8K);
    byte[] ulaw = new byte[call.toPhone.outputLength(2 * 1540) + call.toPhone.flushLength()];
    byte[] pcm = new byte[call.fromPhone.outputLength(160) + call.fromPhone.flushLength()];
    // The agent's audio arrives in deltas of uneven sizes; the phone gets 20 ms frames.
    Random sizes = new Random(1);
    for (int off = 0; off < agentPcm.length; ) {
      int len = Math.min(2 * (40 + sizes.nextInt(1500)), agentPcm.length - off);
      long t0 = System.nanoTime();
      int n = call.toPhone.transcode(agentPcm, off, len, ulaw, 0);
      call.nanos[0] += System.nanoTime() - t0;
      phoneFrames.push(
          ulaw,
          0,
          n,
          (frame, frameOff, frameLen) -> {
            call.phone.write(frame, frameOff, frameLen);
            long t1 = System.nanoTime();
            int m = call.fromPhone.transcode(frame, frameOff, frameLen, pcm, 0);
            call.nanos[1] += System.nanoTime() - t1;
            call.back.write(pcm, 0, m);
            call.frames++;
          });
      off += len;
    }
    int tail = call.toPhone.flush(ulaw, 0);
    phoneFrames.push(ulaw, 0, tail, (f, o, l) -> call.phone.write(f, o, l));
    phoneFrames.flush((f, o, l) -> call.phone.write(f, o, l));
    int backTail = call.fromPhone.flush(pcm, 0);
    call.back.write(pcm, 0, backTail);
    return call;
  }

  private static short[] roundTrip(short[] pcm24k) {
    Transcoder toPhone = Transcoder.create(AudioFormat.PCM16_24K, AudioFormat.PCMU_8K);
    Transcoder fromPhone = Transcoder.create(AudioFormat.PCMU_8K, AudioFormat.PCM16_24K);
    byte[] in = new byte[2 * pcm24k.length];
    Pcm16.toBytes(pcm24k, 0, in, 0, pcm24k.length);
    byte[] ulaw = new byte[toPhone.outputLength(in.length)];
    int n = toPhone.transcode(in, 0, in.length, ulaw, 0);
    byte[] out = new byte[fromPhone.outputLength(n)];
    int m = fromPhone.transcode(ulaw, 0, n, out, 0);
    short[] samples = new short[m / 2];
    Pcm16.toSamples(out, 0, samples, 0, samples.length);
    return samples;
  }

  private static short[] voiceLike(int samples) {
    short[] out = new short[samples];
    for (int i = 0; i < samples; i++) {
      double t = (double) i / AGENT_RATE;
      double v = 0;
      for (int h = 1; 140.0 * h < 11000; h++) {
        v += Math.sin(2 * Math.PI * 140 * h * t + h) / h;
      }
      double envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
      out[i] = (short) Math.round(6000 * envelope * v);
    }
    return out;
  }

  private static short[] sine(double frequency, int rate, double amplitude, int samples) {
    short[] out = new short[samples];
    for (int i = 0; i < samples; i++) {
      out[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * frequency * i / rate));
    }
    return out;
  }

  /** The RMS of {@code x} (after {@code skip} samples) relative to the RMS of {@code reference}. */
  private static double relativeDb(short[] x, int skip, short[] reference) {
    return 20 * Math.log10(rms(x, skip) / rms(reference, 0));
  }

  private static double rms(short[] x, int skip) {
    double sum = 0;
    for (int i = skip; i < x.length; i++) {
      sum += (double) x[i] * x[i];
    }
    return Math.sqrt(sum / (x.length - skip));
  }

  private static void print(String what, String format, Object... args) {
    System.out.printf(Locale.ROOT, "  %-24s " + format + "%n", prepend(what, args));
  }

  private static Object[] prepend(String first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
