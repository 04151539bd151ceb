import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * The Java time-skipping test server, bound to the loopback address only. Its own main
 * (io.temporal.testserver.TestServer) listens on every interface and has no host option.
 * Arguments as the SDK passes them: {@code <port> [--enable-time-skipping] [--initial-time <ISO-8601 instant>]};
 * the last one (passed as the SDK's {@code extraArgs}) starts the server's clock at that moment
 * instead of now, so a test can run across dates already past (a year's holidays).
 */
public final class LoopbackTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: LoopbackTestServer <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean lockTimeSkipping = true;
    long initialTimeMillis = 0; // now
    for (int i = 1; i < args.length; i++) {
      if (args[i].equalsIgnoreCase("--enable-time-skipping")) {
        lockTimeSkipping = false;
      } else if (args[i].equals("--initial-time") && i + 1 < args.length) {
        initialTimeMillis = Instant.parse(args[++i]).toEpochMilli();
      } else {
        System.err.println("Unknown flag " + args[i]);
        System.exit(2);
      }
    }
    TestServicesStarter services = new TestServicesStarter(lockTimeSkipping, initialTimeMillis);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
