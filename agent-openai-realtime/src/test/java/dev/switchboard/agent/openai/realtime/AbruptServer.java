package dev.switchboard.agent.openai.realtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare WebSocket server that opens one Realtime session (handshake, session.created,
 * session.updated after the client's first frame) and then drops the TCP connection without a close
 * frame: what a network failure looks like.
 */
final class AbruptServer implements AutoCloseable {
  private static final Pattern KEY = Pattern.compile("(?i)Sec-WebSocket-Key:\\s*(\\S+)");

  private final ServerSocket server;
  private final CompletableFuture<Socket> accepted = new CompletableFuture<>();

  AbruptServer() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "abrupt-server");
    t.setDaemon(true);
    t.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1");
  }

  private void serve() {
    try {
      Socket socket = server.accept();
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      Matcher m = KEY.matcher(head.toString(StandardCharsets.ISO_8859_1));
      if (!m.find()) {
        return;
      }
      String accept =
          Base64.getEncoder()
              .encodeToString(
                  MessageDigest.getInstance("SHA-1")
                      .digest(
                          (m.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                              .getBytes(StandardCharsets.ISO_8859_1)));
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + accept
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      text(out, "{\"type\":\"session.created\",\"session\":{\"id\":\"sess_abrupt\"}}");
      readFrame(in); // session.update
      text(out, "{\"type\":\"session.updated\",\"session\":{}}");
      accepted.complete(socket);
    } catch (Exception e) {
      accepted.completeExceptionally(e);
    }
  }

  private static void text(OutputStream out, String s) throws IOException {
    byte[] payload = s.getBytes(StandardCharsets.UTF_8);
    out.write(0x81);
    if (payload.length < 126) {
      out.write(payload.length);
    } else {
      out.write(126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    }
    out.write(payload);
    out.flush();
  }

  private static void readFrame(InputStream in) throws IOException {
    in.read();
    int len = in.read() & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      throw new IOException("frame too large for this fake");
    }
    in.readNBytes(4 + len); // mask and payload
  }

  void dropConnection() throws Exception {
    Socket s = accepted.get(10, TimeUnit.SECONDS);
    s.setSoLinger(true, 0); // RST, no FIN handshake
    s.close();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
