package dev.switchboard.testing.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.ServerSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Makes a fake's MockWebServer remember every connection its listening socket accepts, in accept
 * order, so the fake can drop one abruptly (OkHttp's server-side WebSocket has no public way to)
 * and close whatever is left when it closes. MockWebServer numbers connections in accept order
 * ({@code RecordedRequest.getConnectionIndex()}), which is the index into {@link #accepted(int)}.
 * Thread-safe. Not API.
 */
public final class TrackingServerSocketFactory extends ServerSocketFactory {
  private final List<Socket> accepted = new ArrayList<>();

  /** Creates a factory that has accepted nothing yet. */
  public TrackingServerSocketFactory() {}

  /**
   * Returns an accepted connection by its index.
   *
   * @param connectionIndex MockWebServer's connection index
   * @return the socket, or null if no connection has that index
   */
  public @Nullable Socket accepted(int connectionIndex) {
    synchronized (accepted) {
      return connectionIndex >= 0 && connectionIndex < accepted.size()
          ? accepted.get(connectionIndex)
          : null;
    }
  }

  /** Closes every accepted connection that is still open. */
  public void closeAll() {
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
    return bound(new InetSocketAddress(port), 50);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return bound(new InetSocketAddress(port), backlog);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
      throws IOException {
    return bound(new InetSocketAddress(address, port), backlog);
  }

  private ServerSocket bound(InetSocketAddress address, int backlog) throws IOException {
    ServerSocket socket = new Tracking();
    try {
      socket.bind(address, backlog);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return socket;
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
