package vn.mttq.sotay

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Opening the encrypted store, and errors crossing as typed exceptions. */
class StoreTest {
    @TempDir
    lateinit var dir: Path

    private fun key(seed: Int) = ByteArray(32) { (it * 7 + seed).toByte() }

    @Test
    fun `a store reopens with its key and refuses another`() {
        val path = dir.resolve("sotay.db").toString()
        val deviceId = SotayStore.open(path, key(1)).use { it.deviceId() }
        SotayStore.open(path, key(1)).use { assertEquals(deviceId, it.deviceId()) }

        val e = assertThrows<SotayException.Failure> { SotayStore.open(path, key(2)) }
        assertEquals("wrong_key", e.kind)
        assertEquals("Sai khóa mở dữ liệu hoặc tệp không phải dữ liệu Sổ tay.", e.messageVi)
        assertNull(e.field)
    }

    @Test
    fun `a key of the wrong length is a validation error naming the key`() {
        val e = assertThrows<SotayException.Failure> {
            SotayStore.open(dir.resolve("k.db").toString(), ByteArray(16))
        }
        assertEquals("validation", e.kind)
        assertEquals("key", e.field)
    }

    @Test
    fun `the store file is encrypted on disk`() {
        val path = dir.resolve("enc.db")
        SotayStore.open(path.toString(), key(3)).use { assertEquals(0UL, it.queueStatus().pending) }
        val header = path.toFile().readBytes().copyOfRange(0, 16)
        assertNotEquals("SQLite format 3\u0000", String(header, Charsets.ISO_8859_1))
    }

    @Test
    fun `set-aside items that do not exist cannot be retried or discarded`() {
        SotayStore.open(dir.resolve("q.db").toString(), key(4)).use { store ->
            val status = store.queueStatus()
            assertEquals(0UL, status.pending)
            assertTrue(status.setAside.isEmpty())
            val missing = assertThrows<SotayException.Failure> {
                store.retrySetAside("01890a5d-ac96-774b-bcce-b302099a8057")
            }
            assertEquals("not_found", missing.kind)
            val bad = assertThrows<SotayException.Failure> { store.discardSetAside("not-an-id") }
            assertEquals("validation", bad.kind)
            assertEquals("change_id", bad.field)
        }
    }

    @Test
    fun `attachments are kept by their hash and only images or PDFs are taken`() {
        SotayStore.open(dir.resolve("a.db").toString(), key(5)).use { store ->
            val bytes = "ảnh biên bản".toByteArray()
            val kept = store.putAttachment(bytes, "image/jpeg")
            assertEquals(64, kept.sha256.length)
            assertEquals(kept, store.putAttachment(bytes, "image/jpeg"))
            assertTrue(bytes.contentEquals(store.attachment(kept.sha256)))
            val e = assertThrows<SotayException.Failure> { store.putAttachment(bytes, "text/plain") }
            assertEquals("mime", e.field)
        }
    }

    @Test
    fun `a cancel handle remembers that it was cancelled`() {
        SyncCancel().use { cancel ->
            assertEquals(false, cancel.isCancelled())
            cancel.cancel()
            assertTrue(cancel.isCancelled())
        }
    }
}
