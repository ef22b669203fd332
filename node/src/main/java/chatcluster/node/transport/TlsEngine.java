package chatcluster.node.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * BoringSSL (netty-tcnative) for wss, with TLS session tickets on: a client that comes back (a
 * reconnect, a page reload) resumes its session with an abbreviated handshake instead of a full one
 * (no certificate signature on the server's side). Netty turns tickets off in the contexts Vert.x
 * builds ({@code SSL_OP_NO_TICKET}), and BoringSSL resumes TLS 1.3 sessions only with tickets, so
 * without this every TLS 1.3 connection (what browsers speak) was a full handshake; TLS 1.2 sessions
 * resumed by id from the server's session cache, and still do. The ticket keys are BoringSSL's
 * own: random per node, rotated by it every two days; a ticket from another node is not accepted there
 * and that client gets a full handshake.
 */
final class TlsEngine extends OpenSSLEngineOptions {
  TlsEngine() {
  }

  private TlsEngine(TlsEngine other) {
    super(other);
  }

  @Override
  public TlsEngine copy() {
    return new TlsEngine(this);
  }

  @Override
  public SslContextFactory sslContextFactory() {
    SslContextFactory delegate = super.sslContextFactory();
    return new SslContextFactory() {
      @Override
      public SslContextFactory useAlpn(boolean useAlpn) {
        delegate.useAlpn(useAlpn);
        return this;
      }

      @Override
      public SslContextFactory clientAuth(ClientAuth clientAuth) {
        delegate.clientAuth(clientAuth);
        return this;
      }

      @Override
      public SslContextFactory forClient(boolean forClient) {
        delegate.forClient(forClient);
        return this;
      }

      @Override
      public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
        delegate.keyMananagerFactory(kmf);
        return this;
      }

      @Override
      public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
        delegate.trustManagerFactory(tmf);
        return this;
      }

      @Override
      public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
        delegate.enabledCipherSuites(enabledCipherSuites);
        return this;
      }

      @Override
      public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
        delegate.applicationProtocols(applicationProtocols);
        return this;
      }

      @Override
      public SslContextFactory serverName(String serverName) {
        delegate.serverName(serverName);
        return this;
      }

      @Override
      public SslContext create() throws SSLException {
        SslContext context = delegate.create();
        if (context.isServer() && context.sessionContext() instanceof OpenSslSessionContext s) {
          s.setTicketKeys(); // no keys of ours: tickets on, with BoringSSL's self-rotating keys
        }
        return context;
      }
    };
  }
}
