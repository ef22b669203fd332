package chatcluster.node.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A raw Unix-socket client, as a PHP backend is: write bytes, read the answer. */
public final class RelaySocket implements AutoCloseable {
  private final SocketChannel channel;
  private final StringBuilder received = new StringBuilder();

  public RelaySocket(Path path) throws IOException {
    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(path));
  }

  public void write(String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  /** Reads until what was received starts with one complete answer of the given kind; returns it. */
  public String readAnswer(boolean newline) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        while (true) {
          String answer = complete(newline);
          if (answer != null) {
            received.delete(0, answer.length());
            return answer;
          }
          ByteBuffer buf = ByteBuffer.allocate(4096);
          if (channel.read(buf) < 0) {
            return "EOF:" + received;
          }
          received.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        return "EOF:" + e;
      }
    }).get(10, TimeUnit.SECONDS);
  }

  private String complete(boolean newline) {
    String s = received.toString();
    if (newline) {
      int nl = s.indexOf('\n');
      return nl < 0 ? null : s.substring(0, nl + 1);
    }
    if (s.startsWith("OK")) {
      return "OK";
    }
    return s.startsWith("ERR") ? "ERR" : null;
  }

  /** Everything received and not yet taken. */
  public String rest() {
    return received.toString();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
