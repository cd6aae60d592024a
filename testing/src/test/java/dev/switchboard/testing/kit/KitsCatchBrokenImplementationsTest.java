package dev.switchboard.testing.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The kits fail implementations that break the contract: runs them, through the JUnit Platform,
 * against deliberately broken components ({@code *KitRun} classes, which the build does not run on
 * their own).
 */
class KitsCatchBrokenImplementationsTest {

  private static TestExecutionSummary run(Class<?> testClass) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build();
    // No auto-registered listeners: the build's own test reporter must not see these runs.
    Launcher launcher =
        LauncherFactory.create(
            LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .build());
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    launcher.execute(request, summary);
    return summary.getSummary();
  }

  @Test
  void theVoiceKitRunsItsNestedGroups() {
    TestExecutionSummary summary = run(InMemoryVoiceBackendTest.class);
    assertThat(summary.getTestsSucceededCount()).isGreaterThanOrEqualTo(10);
    assertThat(summary.getTestsFailedCount()).isZero();
  }

  @Test
  void theVoiceKitFailsABackendThatLeaksItsSecrets() {
    TestExecutionSummary summary = run(LeakyVoiceBackendKitRun.class);
    assertThat(summary.getFailures())
        .extracting(f -> f.getTestIdentifier().getDisplayName())
        .contains("theConfigurationNeverPrintsASecret()");
  }

  @Test
  void theAgentKitFailsASessionThatClosesTwice() {
    TestExecutionSummary summary = run(DoubleCloseAgentRuntimeKitRun.class);
    assertThat(summary.getFailures()).isNotEmpty();
    assertThat(summary.getFailures())
        .extracting(f -> f.getTestIdentifier().getDisplayName())
        .anyMatch(name -> name.contains("TEXT") || name.contains("AUDIO_STREAMING"));
  }
}
