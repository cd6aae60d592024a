package dev.switchboard.benchmarks;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.codec.Transcoder;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.voice.MediaStream;

/**
 * The least a bridge can do: caller audio to the agent, agent audio to the caller followed by a
 * mark, transcoding when the formats differ, each side closing the other. A stand-in for {@code
 * VoiceAgentBridge} ({@code --bridge direct}) that gives the floor under the real bridge's cost:
 * the difference between the two runs is what barge-in bookkeeping, ledgers, transcripts and
 * metrics cost. Not a product: no barge-in, tools or records.
 */
final class DirectBridge {
  private DirectBridge() {}

  static void attach(MediaStream stream, AgentRuntime runtime, AudioFormat agentFormat) {
    SessionOptions options =
        SessionOptions.builder(Capability.AUDIO_STREAMING)
            .audioFormat(agentFormat)
            .firstSpeaker(SessionOptions.FirstSpeaker.USER)
            .callId(stream.callId())
            .instructions("call " + stream.callId())
            .build();
    Transcoder toAgent =
        agentFormat.equals(stream.format())
            ? null
            : Transcoder.create(stream.format(), agentFormat);
    Transcoder toCaller =
        agentFormat.equals(stream.format())
            ? null
            : Transcoder.create(agentFormat, stream.format());
    AgentSession.Listener agentListener =
        new AgentSession.Listener() {
          private int marks;

          @Override
          public void onAudio(AgentAudio audio) {
            stream.sendAudio(convert(toCaller, audio.audio(), stream.format()));
            stream.sendMark("g0-" + marks++);
          }

          @Override
          public void onClosed(CloseReason reason) {
            stream.close();
          }
        };
    runtime
        .openSession(options, agentListener)
        .thenAccept(
            session ->
                stream.setListener(
                    new MediaStream.Listener() {
                      @Override
                      public void onAudio(AudioChunk audio) {
                        session.sendAudio(convert(toAgent, audio, agentFormat));
                      }

                      @Override
                      public void onClosed(CloseReason reason) {
                        session.close();
                      }
                    }));
  }

  private static AudioChunk convert(Transcoder t, AudioChunk in, AudioFormat to) {
    if (t == null) {
      return in;
    }
    byte[] src = new byte[in.size()];
    in.copyTo(src, 0);
    byte[] dst = new byte[t.outputLength(src.length)];
    int n = t.transcode(src, 0, src.length, dst, 0);
    return AudioChunk.wrap(to, n == dst.length ? dst : java.util.Arrays.copyOf(dst, n));
  }
}
