package chatcluster.node.tasks;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks of a node alone, in memory and in one JSON file. Every change rewrites the file atomically
 * (temporary file, fsync, rename over the old one) on a worker thread, one write after the other. A
 * file that cannot be read as tasks is moved aside with a clear log line, and the node starts without
 * tasks rather than not at all.
 *
 * <p><b>Threading.</b> Any thread may call: the tasks and the chain of writes are changed under the
 * store's lock, and every Future completes on the caller's context (a write completes on the context
 * that queued the first write of the chain; it is handed back from there).
 */
public final class FileTaskStore implements TaskStore {
  private static final Logger log = LoggerFactory.getLogger(FileTaskStore.class);

  private final Vertx vertx;
  private final Path file;
  private final Map<String, ScheduledTask> tasks = new LinkedHashMap<>();
  /** The last queued write; guarded by {@code this}. */
  private Future<Void> writes = Future.succeededFuture();

  public FileTaskStore(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  /** Loads the file (blocking work on a worker thread). */
  @Override
  public Future<Void> load() {
    return vertx.executeBlocking(this::readFile).map(loaded -> {
      synchronized (this) {
        loaded.forEach(t -> tasks.put(t.id(), t));
      }
      if (!loaded.isEmpty()) {
        log.info("loaded {} scheduled tasks from {}", loaded.size(), file);
      }
      return null;
    });
  }

  private List<ScheduledTask> readFile() throws IOException {
    removeTemporaryFiles();
    if (!Files.exists(file)) {
      return List.of();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      JsonObject root = new JsonObject(text);
      JsonArray array = root.getJsonArray("tasks");
      if (array == null) {
        throw new IllegalArgumentException("no 'tasks' array");
      }
      List<ScheduledTask> out = new ArrayList<>();
      for (Object o : array) {
        if (!(o instanceof JsonObject j)) {
          throw new IllegalArgumentException("a task is not an object");
        }
        out.add(ScheduledTask.fromJson(j));
      }
      return out;
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      log.error("task file {} is corrupt ({}); moved it aside to {} and started without its tasks", file,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""), aside);
      return List.of();
    }
  }

  /** Blocking: temporary files of writes that a crash interrupted (the task file itself is intact). */
  private void removeTemporaryFiles() throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    String prefix = file.getFileName().toString();
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith(prefix)
          && p.getFileName().toString().endsWith(".tmp")).toList()) {
        log.warn("removing {} left by an interrupted write", p);
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public Future<Void> flush() {
    Future<Void> last;
    synchronized (this) {
      last = writes;
    }
    return onCaller(last.recover(e -> Future.succeededFuture()));
  }

  @Override
  public synchronized Future<List<ScheduledTask>> all() {
    return Future.succeededFuture(List.copyOf(tasks.values()));
  }

  @Override
  public synchronized Future<ScheduledTask> get(String id) {
    return Future.succeededFuture(tasks.get(id));
  }

  @Override
  public Future<Void> put(ScheduledTask task) {
    Future<Void> written;
    synchronized (this) {
      tasks.put(task.id(), task);
      written = persist();
    }
    return onCaller(written);
  }

  @Override
  public Future<Void> remove(String id) {
    Future<Void> written;
    synchronized (this) {
      written = tasks.remove(id) == null ? Future.succeededFuture() : persist();
    }
    return onCaller(written);
  }

  /** {@code f} handed back to the caller's context. */
  private <T> Future<T> onCaller(Future<T> f) {
    Context caller = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        result.handle(ar);
      } else {
        caller.runOnContext(v -> result.handle(ar));
      }
    });
    return result.future();
  }

  /**
   * Writes a snapshot after the writes before it, so the file always ends with the latest state.
   * Called under the lock.
   */
  private Future<Void> persist() {
    JsonArray array = new JsonArray();
    tasks.values().forEach(t -> array.add(t.toJson()));
    byte[] bytes = new JsonObject().put("version", 1).put("tasks", array).encodePrettily()
        .getBytes(StandardCharsets.UTF_8);
    writes = writes.transform(ignored -> vertx.executeBlocking(() -> {
      write(bytes);
      return null;
    }));
    return writes.onFailure(e -> log.error("cannot write task file {}: {}", file, e.toString()));
  }

  private void write(byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true); // the rename itself survives a crash
    } catch (IOException ignored) {
      // not every file system lets a directory be opened; the rename is atomic either way
    }
  }
}
