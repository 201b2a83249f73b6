package vn.mttq.sotay

import java.nio.file.Path
import java.time.LocalDate
import java.time.ZoneId
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.suspendCancellableCoroutine
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Phones enrolling with a real sotay-server and syncing their village's work. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncTest {
    private lateinit var server: TestServer

    @TempDir
    lateinit var dir: Path

    private val today: LocalDate = LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh"))

    /** The demo village's id, learnt by enrolling a probe phone with the code the demo printed. */
    private lateinit var demoVillage: String

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
        val probeDir = java.nio.file.Files.createTempDirectory("sotay-probe")
        SotayStore.open(probeDir.resolve("probe.db").toString(), ByteArray(32) { 1 }).use {
            demoVillage = it.enroll(server.url, server.demoCode, "Máy dò").unitId
        }
        probeDir.toFile().deleteRecursively()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    private fun open(name: String) = SotayStore.open(dir.resolve("$name.db").toString(), ByteArray(32) { (it + name.length).toByte() })

    /** Collects progress reports (called on the syncing thread). */
    private class Recorder : SyncListener {
        val events: MutableList<SyncProgress> = Collections.synchronizedList(mutableListOf())
        override fun onProgress(progress: SyncProgress) {
            events.add(progress)
        }
    }

    private fun SotayStore.syncNow(listener: SyncListener = Recorder()) = SyncCancel().use { sync(listener, it) }

    /** Enroll a fresh phone in the demo village; returns its unit id. */
    private fun SotayStore.enrollInDemoVillage(code: String = server.issueCode(demoVillage)): String =
        enroll(server.url, code, "Điện thoại thử nghiệm").unitId

    @Test
    fun `a phone enrolls, captures minutes and pledges in Vietnamese, syncs, and another phone sees them`() {
        val agenda = "Triển khai Kế hoạch số 267/KH-MTTQ-BTT về phòng, chống tội phạm xâm hại trẻ em; " +
            "xây dựng mô hình “Khu dân cư 6 không”, “Hộ tộc 4 không”."
        val (minutesId, pledgeId, pledgedHousehold) = open("first").use { phone ->
            assertNull(phone.enrollment())
            val info = phone.enroll(server.url, server.issueCode(demoVillage), "Điện thoại của trưởng thôn")
            assertEquals(demoVillage, info.unitId)
            assertEquals(info, phone.enrollment())
            assertTrue(info.unitName.isNotBlank())

            val recorder = Recorder()
            val first = phone.syncNow(recorder)
            assertTrue(first.pulled > 0UL, "the village's records are pulled")
            assertTrue(recorder.events.any { it.phase == SyncPhase.PULL })
            val households = phone.households(info.unitId)
            assertTrue(households.size >= 2, "the demo village has households")
            val template = phone.pledgeTemplates(PledgeKind.HOUSEHOLD).first()
            val left = phone.householdsLeft(info.unitId).size
            val before = phone.home(info.unitId).progress.households
            assertEquals(households.size.toUInt(), before.total)

            val draft = phone.createMinutes(info.unitId, MinutesForm(
                heldAt = System.currentTimeMillis() - 7_200_000, place = "Hội trường thôn", kind = MeetingKind.VILLAGE_CONFERENCE,
                chair = "Nguyễn Văn Hùng", secretary = "Trần Thị Mỹ Duyên", attendeeCount = 57u,
                attendees = listOf(Attendee("Đặng Văn Ân", AttendeeRole.CLAN_HEAD)), agenda = agenda,
                contents = "Ý kiến của các hộ: đồng ý ký cam kết.", conclusions = "Hoàn thành trước 30/5.",
                assignedTasks = emptyList(), attachments = emptyList(), planId = null, taskId = null,
            ))
            val minutesId = phone.sealMinutes(draft.id, "Nguyễn Văn Hùng").id
            val pledgedHousehold = households[0].id
            val signature = phone.putAttachment(byteArrayOf(0x89.toByte(), 0x50, 0x4E, 0x47, 1, 2, 3, 4), "image/png")
            assertEquals(false, signature.uploaded)
            val pledgeId = phone.recordPledge(
                PledgeForm(PledgeKind.HOUSEHOLD, pledgedHousehold, template.id, households[0].headName, "Nguyễn Văn Hùng", today.toString(), signature.sha256),
                "Nguyễn Văn Hùng",
            ).id
            phone.recordVisit(households[1].id, VisitForm(today.toString(), VisitOutcome.NOT_HOME, today.plusDays(3).toString(), "Vắng nhà"))
            assertEquals(left - 1, phone.householdsLeft(info.unitId).size)
            val home = phone.home(info.unitId)
            assertEquals(before.done + 1u, home.progress.households.done)
            assertEquals((left - 1).toUInt(), home.householdsLeft)
            // The minutes draft and its seal, the pledge (sealed as recorded), the visit.
            assertEquals(4UL, phone.queueStatus().pending)

            val pushRecorder = Recorder()
            val second = phone.syncNow(pushRecorder)
            assertEquals(4UL, second.pushed)
            assertEquals(0UL, second.setAside)
            assertEquals(1UL, second.attachmentsUploaded)
            assertEquals(true, phone.attachmentInfo(signature.sha256).uploaded)
            assertEquals(0UL, phone.queueStatus().pending)
            assertTrue(pushRecorder.events.any { it.phase == SyncPhase.PUSH && it.itemsDone == 4UL && it.itemsTotal == 4UL })
            Triple(minutesId, pledgeId, pledgedHousehold)
        }

        open("second").use { other ->
            val unit = other.enrollInDemoVillage()
            other.syncNow()
            val minutes = other.minutesOfUnit(unit).single { it.minutes.id == minutesId }.minutes
            assertEquals(agenda, minutes.form.agenda)
            assertEquals("Nguyễn Văn Hùng", minutes.seal?.by)
            assertEquals(listOf(pledgeId), other.pledgesOfSubject(pledgedHousehold).map { it.id })
            assertFalse(other.householdsLeft(unit).any { it.household.id == pledgedHousehold })
            assertTrue(other.home(unit).progress.households.done >= 1u)
        }
    }

    @Test
    fun `a wrong enrollment code is refused with a message, and an unenrolled phone cannot sync`() {
        open("stranger").use { phone ->
            val refused = assertThrows<SotayException.Failure> { phone.enroll(server.url, "AAAA-BBBB-CCCC", "Máy lạ") }
            assertEquals("server", refused.kind)
            assertTrue(refused.messageVi.startsWith("Máy chủ từ chối"))
            assertNull(phone.enrollment())
            val notEnrolled = assertThrows<SotayException.Failure> { phone.syncNow() }
            assertEquals("not_found", notEnrolled.kind)
        }
    }

    @Test
    fun `a change the server refuses is set aside with its reason, retried, then discarded`() {
        open("refused").use { phone ->
            val unit = phone.enrollInDemoVillage()
            // A village this phone is not bound to: the server refuses the write (scope).
            val elsewhere = "01890a5d-ac96-774b-bcce-b302099a8057"
            phone.addHousehold(elsewhere, HouseholdInput("Hộ ngoài phạm vi", "Xóm Xa", 2u, 0u, null, null))
            phone.addHousehold(unit, HouseholdInput("Hộ trong thôn", "Xóm Gần", 2u, 0u, null, null))

            val first = phone.syncNow()
            assertEquals(1UL, first.pushed)
            assertEquals(1UL, first.setAside)
            val status = phone.queueStatus()
            assertEquals(0UL, status.pending)
            val item = status.setAside.single()
            assertEquals("household", item.entity)
            assertEquals("hộ gia đình", item.entityVi)
            assertTrue(item.reason.isNotBlank())

            phone.retrySetAside(item.changeId)
            assertEquals(1UL, phone.queueStatus().pending)
            assertEquals(1UL, phone.syncNow().setAside)

            phone.discardSetAside(phone.queueStatus().setAside.single().changeId)
            assertEquals(QueueStatus(0UL, emptyList()), phone.queueStatus())
        }
    }

    @Test
    fun `a revoked phone is wiped at its next sync`() {
        open("revoked").use { phone ->
            val unit = phone.enrollInDemoVillage()
            phone.syncNow()
            assertTrue(phone.households(unit).isNotEmpty())
            phone.addHousehold(unit, HouseholdInput("Hộ chưa gửi", "Xóm Cuối", 2u, 0u, null, null))

            server.revoke(phone.enrollment()!!.deviceKeyId)
            val e = assertThrows<SotayException.Failure> { phone.syncNow() }
            assertEquals("revoked", e.kind)
            assertEquals("Thiết bị này đã bị thu hồi quyền truy cập.", e.messageVi)
            assertNull(phone.enrollment())
            assertTrue(phone.households(unit).isEmpty())
            assertEquals(QueueStatus(0UL, emptyList()), phone.queueStatus())
        }
    }

    @Test
    fun `a cancelled sync stops before sending and the next sync sends everything`() {
        open("cancel").use { phone ->
            val unit = phone.enrollInDemoVillage()
            repeat(5) { i -> phone.addHousehold(unit, HouseholdInput("Hộ mới số ${i + 1}", "Xóm Mới", 3u, 1u, null, null)) }

            // Cancelled from the progress callback, on the syncing thread.
            val cancel = SyncCancel()
            val stopper = object : SyncListener {
                override fun onProgress(progress: SyncProgress) = cancel.cancel()
            }
            val e = assertThrows<SotayException.Failure> { phone.sync(stopper, cancel) }
            assertEquals("cancelled", e.kind)
            assertEquals("Đã hủy.", e.messageVi)
            assertEquals(5UL, phone.queueStatus().pending)
            cancel.close()

            val done = phone.syncNow()
            assertEquals(5UL, done.pushed)
            assertEquals(0UL, phone.queueStatus().pending)
        }
    }

    @Test
    fun `cancelling the coroutine that runs a sync stops the sync`() {
        open("coroutine").use { phone ->
            val unit = phone.enrollInDemoVillage()
            phone.addHousehold(unit, HouseholdInput("Lê Văn Mười", "Xóm Bàu", 2u, 0u, null, null))
            val started = CompletableDeferred<Unit>()
            val release = CountDownLatch(1)
            val holdOnFirstReport = object : SyncListener {
                override fun onProgress(progress: SyncProgress) {
                    if (started.complete(Unit)) release.await(30, TimeUnit.SECONDS)
                }
            }
            val syncThread = Executors.newSingleThreadExecutor()
            runBlocking {
                val job = launch { phone.syncCancellable(holdOnFirstReport, syncThread) }
                started.await()
                job.cancel() // the caller resumes at once; the sync sees its handle cancelled
                job.join()
                assertTrue(job.isCancelled)
            }
            release.countDown()
            syncThread.shutdown()
            assertTrue(syncThread.awaitTermination(30, TimeUnit.SECONDS))
            assertEquals(1UL, phone.queueStatus().pending, "nothing was sent")
            assertEquals(1UL, phone.syncNow().pushed)
        }
    }
}

/**
 * The coroutine form of `sync` for shells (also in bindings/README.md): the blocking call runs on
 * `executor`, and cancelling the coroutine cancels the sync through its handle.
 */
suspend fun SotayStore.syncCancellable(listener: SyncListener, executor: Executor = Dispatchers.IO.asExecutor()): SyncSummary =
    SyncCancel().use { cancel ->
        suspendCancellableCoroutine { cont ->
            cont.invokeOnCancellation { cancel.cancel() }
            executor.execute { cont.resumeWith(runCatching { sync(listener, cancel) }) }
        }
    }
