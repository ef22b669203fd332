package chatcluster.node.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishBudgetTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aChannelGetsTwiceItsRateAtOnceThenIsRefusedWhileOthersAreNot() {
    PublishBudget budget = new PublishBudget(vertx, 5);
    int taken = 0;
    while (budget.tryPublish("busy") && taken < 100) {
      taken++;
    }
    assertEquals(10, taken, "burst of twice the rate");
    assertFalse(budget.tryPublish("busy"));
    assertTrue(budget.tryPublish("quiet"), "another channel has a budget of its own");
  }

  @Test
  void idleChannelsAreForgottenAndZeroMeansNoLimit() {
    PublishBudget budget = new PublishBudget(vertx, 5);
    budget.tryPublish("a");
    budget.tryPublish("b");
    assertEquals(2, budget.tracked());
    budget.sweep(System.nanoTime());
    assertEquals(2, budget.tracked(), "in use a moment ago");
    budget.sweep(System.nanoTime() + 4_000_000_000L);
    assertEquals(0, budget.tracked(), "idle long enough to be full again");
    PublishBudget unlimited = new PublishBudget(vertx, 0);
    for (int i = 0; i < 1000; i++) {
      assertTrue(unlimited.tryPublish("any"));
    }
  }
}
