//! Text to speech for speakers without it: the offline engine espeak-ng
//! (installed by the README's commands where the system allows), rendered
//! once per text into the clip store. Without an engine, text goes to the
//! speakers as text and those without built-in TTS refuse it, by name.

use crate::audio::{Clips, Format};

/// Render `text` to a stored clip; `None` when no engine is installed or it
/// failed (the reason is logged).
pub async fn render(clips: &Clips, text: &str) -> Option<String> {
    let voice = if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        "cmn"
    } else {
        "en"
    };
    let out = tokio::process::Command::new("espeak-ng")
        .args(["-v", voice, "--stdout", "--", text])
        .kill_on_drop(true)
        .output();
    let out = match tokio::time::timeout(std::time::Duration::from_secs(20), out).await {
        Ok(Ok(o)) if o.status.success() => o.stdout,
        Ok(Ok(o)) => {
            tracing::warn!(
                "espeak-ng failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return None;
        }
        Ok(Err(e)) => {
            tracing::info!("no TTS engine (espeak-ng: {e}); text goes to speakers as text");
            return None;
        }
        Err(_) => {
            tracing::warn!("espeak-ng took over 20 s");
            return None;
        }
    };
    let name = format!("tts: {}", text.chars().take(40).collect::<String>());
    match clips.put(&name, Format::Wav, &out) {
        Ok(info) => Some(info.hash),
        Err(e) => {
            tracing::warn!("rendered speech not stored: {e}");
            None
        }
    }
}
