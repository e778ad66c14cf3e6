package org.neologism.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchEngineTest {

    @Test
    void theEngineLoadsOfflineFromTheUnpackedNatives() {
        TorchEngine torch = new TorchEngine();
        assertEquals("2.7.1", torch.libtorchVersion());
        assertEquals("0.36.0", torch.djlVersion());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
        assertTrue(torch.devices().contains(torch.defaultDevice()));
    }

    @Test
    void aGradientReachesTheTrainableVectorAndAgreesWithAFiniteDifference() {
        TensorCheck.Result result = TensorCheck.run(new TorchEngine());
        assertTrue(result.gradientNorm() > 1e-3, "gradient norm " + result.gradientNorm());
        assertTrue(result.finiteDifferenceRelativeError() < 1e-6, "finite-difference error " + result.finiteDifferenceRelativeError());
    }

    @Test
    void theCheckIsDeterministic() {
        TorchEngine torch = new TorchEngine();
        assertEquals(TensorCheck.run(torch).loss(), TensorCheck.run(torch).loss());
    }

    @Test
    void aLibraryFolderWithoutLibtorchIsRefusedBeforeDjlTriesToDownload(@TempDir Path empty) {
        String previous = System.getProperty("PYTORCH_LIBRARY_PATH");
        System.setProperty("PYTORCH_LIBRARY_PATH", empty.toString());
        try {
            IllegalStateException error = assertThrows(IllegalStateException.class, TorchEngine::requireNatives);
            assertTrue(error.getMessage().contains(empty.toString()) && error.getMessage().contains("libtorch.so"),
                    error.getMessage());
        } finally {
            System.setProperty("PYTORCH_LIBRARY_PATH", previous);
        }
    }

    @Test
    void theDeviceFlagNamesTheCpuOrRefusesWhatIsNotHere() {
        TorchEngine torch = new TorchEngine();
        assertEquals(ai.djl.Device.cpu(), torch.device("cpu"));
        assertEquals(torch.defaultDevice(), torch.device(null));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> torch.device("gpu:7"));
        assertTrue(missing.getMessage().contains("--device gpu:7 is not available"), missing.getMessage());
        IllegalArgumentException nonsense = assertThrows(IllegalArgumentException.class, () -> torch.device("tpu"));
        assertTrue(nonsense.getMessage().contains("--device tpu"), nonsense.getMessage());
    }
}
