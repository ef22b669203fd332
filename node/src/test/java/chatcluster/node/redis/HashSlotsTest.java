package chatcluster.node.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The slots {@code CLUSTER KEYSLOT} of redis-server 7.0 gives for the same keys. */
class HashSlotsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "foo|12182",
      "123456789|12739",
      "{user1000}.following|3443",
      "foo{}{bar}|8363",
      "foo{{bar}}zap|4015",
      "foo{bar}{zap}|5061",
      "rcf:{c:hist-a}:stream|7592",
      "ü{ö}x|1050",
  })
  void aKeyGoesToTheSlotRedisComputes(String key, int slot) {
    assertEquals(slot, HashSlots.of(key));
  }

  @ParameterizedTest
  @CsvSource({"rcf:{c:hist-a}:meta", "rcf:{c:hist-a}:presence", "{c:hist-a}"})
  void aSubjectsKeysShareItsTagsSlot(String key) {
    assertEquals(7592, HashSlots.of(key));
  }
}
