package dev.switchboard.testing.ultravox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.ServerSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Makes MockWebServer's listening socket remember every connection it accepts, in accept order
 * (MockWebServer's connection index), so the fake can drop a call's connection abruptly (OkHttp's
 * server-side WebSocket has no public way to) and close whatever is left on close. Thread-safe.
 */
final class SocketTracker extends ServerSocketFactory {
  private final List<Socket> accepted = new ArrayList<>();

  @Nullable Socket accepted(int connectionIndex) {
    synchronized (accepted) {
      return connectionIndex >= 0 && connectionIndex < accepted.size()
          ? accepted.get(connectionIndex)
          : null;
    }
  }

  void closeAll() {
    List<Socket> all;
    synchronized (accepted) {
      all = List.copyOf(accepted);
    }
    for (Socket socket : all) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return new Tracking();
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
      throws IOException {
    throw new UnsupportedOperationException("MockWebServer binds an unbound socket");
  }

  private final class Tracking extends ServerSocket {
    Tracking() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket socket = super.accept();
      synchronized (accepted) {
        accepted.add(socket);
      }
      return socket;
    }
  }
}
