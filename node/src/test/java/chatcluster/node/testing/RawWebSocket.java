package chatcluster.node.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A WebSocket client written by hand, byte by byte, for what well-behaved clients never send. */
public final class RawWebSocket {
  private RawWebSocket() {}

  public static String handshakeStatusLine(Socket s, String path, String... extraHeaders) throws Exception {
    OutputStream out = s.getOutputStream();
    StringBuilder extra = new StringBuilder();
    for (String h : extraHeaders) {
      extra.append(h).append("\r\n");
    }
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString().lines().findFirst().orElse("");
  }

  public static void handshake(Socket s, String path) throws Exception {
    String status = handshakeStatusLine(s, path);
    if (!status.contains(" 101 ")) {
      throw new AssertionError("upgrade refused: " + status);
    }
  }

  /**
   * Upgrades with the given headers and reads server frames until a close frame (its code) or, when
   * none comes within a second, -1.
   */
  public static int closeCodeAfterHandshake(int port, String... headers) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(1000);
      String status = handshakeStatusLine(s, "/ws", headers);
      if (!status.contains(" 101 ")) {
        throw new AssertionError("upgrade refused: " + status);
      }
      return readCloseCode(s.getInputStream());
    }
  }

  public record Frame(int opcode, byte[] payload) {
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** Reads one server (unmasked) frame; null at the end of the stream. */
  public static Frame readFrame(InputStream in) throws Exception {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      return null;
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    return new Frame(b0 & 0x0f, in.readNBytes((int) len));
  }

  public static int readCloseCode(InputStream in) throws Exception {
    try {
      for (Frame f = readFrame(in); f != null; f = readFrame(in)) {
        if (f.opcode() == 0x8) {
          return f.closeCode();
        }
      }
      return -1;
    } catch (java.net.SocketTimeoutException e) {
      return -1;
    }
  }

  /** One masked frame, as clients must send: {@code opcode} 0x1 text, 0x0 continuation, 0x9 ping. */
  public static void sendFrame(OutputStream out, boolean fin, int opcode, byte[] payload) throws Exception {
    byte[] mask = {1, 2, 3, 4};
    out.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) ((long) payload.length >> (8 * i)) & 0xff);
      }
    }
    out.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    out.write(masked);
    out.flush();
  }

  /** A masked text frame, as clients must send. */
  public static void sendText(OutputStream out, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    out.write(0x81);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    out.flush();
  }
}
