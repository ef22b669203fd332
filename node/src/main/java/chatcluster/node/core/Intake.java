package chatcluster.node.core;

import chatcluster.node.runtime.Contexts;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One connection's commands, in order, for either protocol. Commands run one after another: each
 * starts once the previous one has taken effect ({@link Step#applied()}), and answers are written in
 * the order the commands came, whatever order they complete in. A command that takes effect before
 * its answer is ready (a publish handed to the node's ordered path) lets the next one start, so a
 * burst of them is pipelined, not run one round trip at a time.
 *
 * <p><b>Bounded.</b> At most {@link #MAX_UNANSWERED} commands wait for their answers and
 * {@link #MAX_QUEUED} for their turn; at that many the connection stops reading ({@code pause})
 * and the client's frames wait in TCP; below half it reads again.
 *
 * <p>Threading: confined to the connection's event loop; Futures that complete elsewhere (hooks,
 * authenticators) are brought back to it.
 */
public final class Intake {
  /** Commands admitted and waiting for their turn; at this many the connection stops reading. */
  public static final int MAX_QUEUED = 1024;
  /** Commands started whose answers are not yet written. */
  public static final int MAX_UNANSWERED = 256;

  /** An answer slot in command order; {@code write} is null until the command's answer is ready. */
  private static final class Answer {
    Runnable write;
  }

  private final Runnable pause;
  private final Runnable resume;
  private final BooleanSupplier running;
  private final Function<Throwable, Runnable> failed;
  // Queues start small (they grow on demand): an idle connection holds them for its whole life.
  private final ArrayDeque<Supplier<Step>> queue = new ArrayDeque<>(1);
  private final ArrayDeque<Answer> answers = new ArrayDeque<>(1);
  private boolean waiting;
  private boolean pumping;

  /**
   * @param pause   stops reading from the connection
   * @param resume  reads from the connection again
   * @param running whether commands may start now (the session is open); checked before each one
   * @param failed  the answer to a command that threw or whose answer failed
   */
  public Intake(Runnable pause, Runnable resume, BooleanSupplier running, Function<Throwable, Runnable> failed) {
    this.pause = pause;
    this.resume = resume;
    this.running = running;
    this.failed = failed;
  }

  /** Queues a command; it starts in turn. */
  public void enqueue(Supplier<Step> command) {
    queue.add(command);
    if (queue.size() >= MAX_QUEUED) {
      pause.run();
    }
    pump();
  }

  /** Drops what has not started (the connection closed). */
  public void clear() {
    queue.clear();
  }

  /** Starts queued commands in order while the previous one has taken effect and answers are not too far behind. */
  public void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      while (!waiting && !queue.isEmpty() && answers.size() < MAX_UNANSWERED && running.getAsBoolean()) {
        var applied = start(queue.poll());
        if (!applied.isComplete()) {
          waiting = true;
          Contexts.onCaller(applied).onComplete(x -> {
            waiting = false;
            pump();
          });
        }
      }
      if (queue.size() < MAX_QUEUED / 2) {
        resume.run();
      }
    } finally {
      pumping = false;
    }
  }

  private io.vertx.core.Future<?> start(Supplier<Step> command) {
    Answer slot = new Answer();
    answers.add(slot);
    Step step;
    try {
      step = command.get();
    } catch (RuntimeException e) {
      step = Step.done(failed.apply(e));
    }
    Contexts.onCaller(step.answer()).onComplete(ar -> {
      slot.write = ar.succeeded() ? ar.result() : failed.apply(ar.cause());
      writeAnswers();
    });
    return step.applied();
  }

  /** Writes every ready answer at the head of the line, in command order. */
  private void writeAnswers() {
    boolean wasFull = answers.size() >= MAX_UNANSWERED;
    while (!answers.isEmpty() && answers.peek().write != null) {
      answers.poll().write.run();
    }
    if (wasFull) {
      pump();
    }
  }
}
