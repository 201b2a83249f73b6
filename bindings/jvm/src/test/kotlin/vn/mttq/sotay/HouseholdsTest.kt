package vn.mttq.sotay

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Households and clans of a village, with accent-free search in Vietnamese order. */
class HouseholdsTest {
    @TempDir
    lateinit var dir: Path

    private val village = "01890a5d-ac96-774b-bcce-b302099a8057"

    private fun open() = SotayStore.open(dir.resolve("h.db").toString(), ByteArray(32) { 9 })

    private fun household(name: String, clan: String? = null) =
        HouseholdInput(name, "Xóm Đông", 5u, 2u, null, clan)

    @Test
    fun `households are listed alphabetically and found without accents`() {
        open().use { store ->
            val clan = store.addClan(village, ClanInput("Tộc Đặng", "Đặng Văn Lộc"))
            store.addHousehold(village, household("Trần Thị Bích"))
            store.addHousehold(village, household("Đặng Văn Ân", clan.id))
            store.addHousehold(village, household("Nguyễn Văn Ánh"))

            val names = store.households(village).map { it.headName }
            assertEquals(listOf("Đặng Văn Ân", "Nguyễn Văn Ánh", "Trần Thị Bích"), names)
            assertEquals(listOf("Nguyễn Văn Ánh"), store.searchHouseholds(village, "nguyen v", 10u).map { it.headName })
            assertEquals(listOf("Đặng Văn Ân"), store.searchHouseholds(null, "dang", 10u).map { it.headName })
            assertEquals(1u, store.clans(village).single().householdCount)
            assertEquals(listOf("Đặng Văn Ân"), store.clanHouseholds(clan.id).map { it.headName })
            assertEquals(4UL, store.queueStatus().pending) // 3 households and 1 clan wait for sync
        }
    }

    @Test
    fun `an edit keeps the id and normalises the phone`() {
        open().use { store ->
            val h = store.addHousehold(village, household("Lê Văn Tám"))
            val edited = store.editHousehold(h.id, household("Lê Văn Tám").copy(phone = "+84 905 123 456", members = 6u))
            assertEquals(h.id, edited.id)
            assertEquals("0905123456", store.household(h.id).phone)
            assertEquals(6u, store.household(h.id).members)
        }
    }

    @Test
    fun `invalid input names the field in the error`() {
        open().use { store ->
            val e = assertThrows<SotayException.Failure> {
                store.addHousehold(village, household("Phạm Văn Hai").copy(members = 2u, childrenUnder18 = 3u))
            }
            assertEquals("validation", e.kind)
            assertEquals("children_under_18", e.field)
            assertEquals(true, e.messageVi.startsWith("Số trẻ em dưới 18 tuổi"))

            val empty = assertThrows<SotayException.Failure> { store.addHousehold(village, household("  ")) }
            assertEquals("head_name", empty.field)
            assertEquals(0UL, store.queueStatus().pending)
        }
    }

    @Test
    fun `erasing a household removes it from the device`() {
        open().use { store ->
            val h = store.addHousehold(village, household("Võ Thị Sáu"))
            assertEquals(ErasedCounts(0u, 0u), store.eraseHousehold(h.id))
            assertEquals("not_found", assertThrows<SotayException.Failure> { store.household(h.id) }.kind)
            assertEquals(emptyList<HouseholdItem>(), store.searchHouseholds(village, "vo thi", 10u))
        }
    }
}
