package dev.switchboard.agent.ultravox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.agent.AgentSession;
import java.time.Duration;

/** Caller audio for streaming sessions: a loud tone the fake's detector hears, then silence. */
final class Speech {
  private Speech() {}

  /**
   * Sends 20 ms PCM16 frames at the session's input rate: {@code speech} of a 440 Hz tone, then
   * {@code silence} (the fake ends the user's turn after about 384 ms of it).
   */
  static void speak(AgentSession session, Duration speech, Duration silence) {
    int rate = session.inputFormat().sampleRate();
    int samples = rate / 50;
    long index = 0;
    for (int n = 0; n < speech.toMillis() / 20; n++) {
      byte[] frame = new byte[samples * 2];
      for (int i = 0; i < samples; i++, index++) {
        short s = (short) (8000 * Math.sin(2 * Math.PI * 440 * index / rate));
        frame[2 * i] = (byte) s;
        frame[2 * i + 1] = (byte) (s >> 8);
      }
      assertThat(session.sendAudio(AudioChunk.wrap(session.inputFormat(), frame))).isTrue();
    }
    byte[] quiet = new byte[samples * 2];
    for (int n = 0; n < silence.toMillis() / 20; n++) {
      assertThat(session.sendAudio(AudioChunk.wrap(session.inputFormat(), quiet.clone()))).isTrue();
    }
  }
}
