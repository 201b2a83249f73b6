package vn.mttq.sotay

import java.io.File
import java.net.ServerSocket
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * A real `sotay-server` process on loopback with the demo district loaded, for the tests that
 * enroll and sync. The binary comes from the cargo target dir (system property `sotay.server.bin`).
 */
class TestServer private constructor(
    private val process: Process,
    private val bin: String,
    private val data: File,
    val url: String,
    /** The one-time enrollment code the demo printed for its demo village. */
    val demoCode: String,
) : AutoCloseable {
    /** Issue another one-time code for the village head of `unitId` (the server's CLI). */
    fun issueCode(unitId: String): String {
        val p = ProcessBuilder(bin, "enroll-code", "--data", data.path, "--unit", unitId, "--server-url", url)
            .redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader(Charsets.UTF_8).readText()
        check(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) { "enroll-code failed: $out" }
        return codeIn(out) ?: error("no code in: $out")
    }

    /** Revoke a phone by its key id (the server's CLI): its next request is told to wipe. */
    fun revoke(deviceKeyId: String) {
        val p = ProcessBuilder(bin, "revoke", "--data", data.path, "--device", deviceKeyId).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader(Charsets.UTF_8).readText()
        check(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) { "revoke failed: $out" }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
        data.deleteRecursively()
    }

    companion object {
        private val CODE = Regex("""Mã đăng ký thiết bị cho .*: ([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)""")

        private fun codeIn(text: String) = CODE.find(text)?.groupValues?.get(1)

        fun start(): TestServer {
            val bin = System.getProperty("sotay.server.bin") ?: error("sotay.server.bin is not set")
            check(File(bin).canExecute()) { "no sotay-server at $bin (cargo build -p sotay-server)" }
            val port = ServerSocket(0).use { it.localPort }
            val data = Files.createTempDirectory("sotay-server").toFile()
            val process = ProcessBuilder(bin, "serve", "--addr", "127.0.0.1:$port", "--data", data.path, "--demo")
                .redirectErrorStream(true).start()
            val lines = LinkedBlockingQueue<String>()
            Thread {
                // Ends with the process (the stream closes under it then).
                runCatching { process.inputStream.bufferedReader(Charsets.UTF_8).forEachLine { lines.put(it) } }
            }.apply { isDaemon = true }.start()
            var code: String? = null
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
            while (true) {
                val line = lines.poll(1, TimeUnit.SECONDS)
                if (line == null) {
                    check(process.isAlive) { "sotay-server exited with ${process.exitValue()}" }
                    check(System.nanoTime() < deadline) { "sotay-server did not start in time" }
                    continue
                }
                code = code ?: codeIn(line)
                if (line.startsWith("Máy chủ đang chạy")) break
            }
            return TestServer(process, bin, data, "http://127.0.0.1:$port", code ?: error("the demo printed no enrollment code"))
        }
    }
}
