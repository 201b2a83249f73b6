package vn.mttq.sotay

import java.nio.file.Path
import java.time.LocalDate
import java.time.ZoneId
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** A village head's day on one phone, offline: minutes, pledges and visits. */
class FieldWorkTest {
    @TempDir
    lateinit var dir: Path

    private val village = "01890a5d-ac96-774b-bcce-b302099a8057"
    private val today: LocalDate = LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh"))

    private fun open() = SotayStore.open(dir.resolve("f.db").toString(), ByteArray(32) { 5 })

    private fun shown(d: LocalDate) = "%02d/%02d/%04d".format(d.dayOfMonth, d.monthValue, d.year)

    private fun draft(chair: String = "Nguyễn Văn Hùng") = MinutesForm(
        heldAt = System.currentTimeMillis() - 3_600_000,
        place = "Nhà văn hóa thôn Phú Lộc",
        kind = MeetingKind.VILLAGE_CONFERENCE,
        chair = chair,
        secretary = "Trần Thị Mỹ Duyên",
        attendeeCount = 42u,
        attendees = listOf(Attendee("Đặng Văn Ân", AttendeeRole.CLAN_HEAD), Attendee("Lê Thị Hoa", AttendeeRole.WOMEN)),
        agenda = "Phổ biến Kế hoạch 267/KH-MTTQ-BTT; đăng ký cam kết “Hộ tộc 4 không”.",
        contents = "Các hộ thống nhất không để trẻ em bỏ học, không vi phạm pháp luật.",
        conclusions = "Giao Ban công tác Mặt trận thôn vận động 100% hộ ký cam kết.",
        assignedTasks = listOf(AssignedTaskForm("Vận động hộ ký cam kết", "Trưởng thôn", today.plusDays(30).toString(), null)),
        attachments = emptyList(),
        planId = null,
        taskId = null,
    )

    @Test
    fun `minutes go from draft to seal and are corrected by an amendment`() {
        open().use { store ->
            val d = store.createMinutes(village, draft(chair = ""))
            assertNull(d.seal)
            val missing = assertThrows<SotayException.Failure> { store.sealMinutes(d.id, "Nguyễn Văn Hùng") }
            assertEquals("validation", missing.kind)
            assertEquals("chair", missing.field)
            assertEquals("Chủ trì: không được để trống", missing.messageVi)

            store.editMinutes(d.id, draft())
            val sealed = store.sealMinutes(d.id, "Nguyễn Văn Hùng")
            assertEquals("Nguyễn Văn Hùng", sealed.seal?.by)
            assertEquals(64, sealed.seal?.hash?.length)
            assertEquals(shown(today.plusDays(30)), sealed.form.assignedTasks.single().dueShown)
            assertTrue(sealed.heldAtShown!!.matches(Regex("""\d\d/\d\d/\d{4} \d\d:\d\d""")))

            val refused = assertThrows<SotayException.Failure> { store.editMinutes(d.id, draft(chair = "Người khác")) }
            assertEquals("sealed", refused.kind)
            assertTrue(refused.messageVi.contains("đính chính"))

            val amendment = store.amendMinutes(d.id, sealed.form.copy(attendeeCount = 45u))
            assertEquals(d.id, amendment.amendsId)
            store.sealMinutes(amendment.id, "Nguyễn Văn Hùng")
            val entry = store.minutesOfUnit(village).single()
            assertEquals(d.id, entry.minutes.id)
            assertEquals(listOf(45u), entry.amendments.map { it.form.attendeeCount })
            assertEquals("Phổ biến Kế hoạch 267/KH-MTTQ-BTT; đăng ký cam kết “Hộ tộc 4 không”.", store.minutes(d.id).form.agenda)
        }
    }

    @Test
    fun `a pledge is sealed when recorded and takes the household off the to-visit list`() {
        open().use { store ->
            val template = store.installPledgeTemplates(village, today.year).single { it.kind == PledgeKind.HOUSEHOLD }
            assertTrue(template.commitments.isNotEmpty())
            val a = store.addHousehold(village, HouseholdInput("Phan Văn Bảy", "Xóm Gò", 4u, 1u, null, null))
            val b = store.addHousehold(village, HouseholdInput("Huỳnh Thị Tư", "Xóm Gò", 3u, 0u, null, null))
            assertEquals(listOf("Huỳnh Thị Tư", "Phan Văn Bảy"), store.householdsLeft(village).map { it.household.headName })

            val form = PledgeForm(PledgeKind.HOUSEHOLD, a.id, template.id, "Phan Văn Bảy", "Nguyễn Văn Hùng", today.toString(), null)
            val pledge = store.recordPledge(form, "Nguyễn Văn Hùng")
            assertNotNull(pledge.seal)
            assertEquals(template.commitments, pledge.commitments)
            assertEquals(shown(today), pledge.signedOn.shown)
            assertEquals(listOf("Huỳnh Thị Tư"), store.householdsLeft(village).map { it.household.headName })

            val future = assertThrows<SotayException.Failure> {
                store.recordPledge(form.copy(subjectId = b.id, signedOn = today.plusDays(2).toString()), "Nguyễn Văn Hùng")
            }
            assertEquals("signed_on", future.field)
            val badDate = assertThrows<SotayException.Failure> { store.recordPledge(form.copy(signedOn = "30/05/2023"), "x") }
            assertEquals("signed_on", badDate.field)

            val corrected = store.amendPledge(pledge.id, form.copy(signedBy = "Phan Văn Bảy (chủ hộ)"), "Nguyễn Văn Hùng")
            assertEquals(pledge.id, corrected.amendsId)
            assertEquals(2, store.pledgesOfSubject(a.id).size)
        }
    }

    @Test
    fun `a household not at home comes back on the revisit list`() {
        open().use { store ->
            val h = store.addHousehold(village, HouseholdInput("Võ Văn Kiệt", "Xóm Chợ", 2u, 0u, null, null))
            val v = store.recordVisit(h.id, VisitForm(today.toString(), VisitOutcome.NOT_HOME, today.toString(), "Đi làm rẫy"))
            assertEquals(shown(today), v.revisitOn?.shown)
            val due = store.revisitsDueToday(village).single()
            assertEquals(h.id, due.household.id)
            assertEquals(VisitOutcome.NOT_HOME, due.lastVisit?.outcome)
            assertEquals(listOf("Đi làm rẫy"), store.visitsOfHousehold(h.id).map { it.note })
        }
    }
}
