// Boot: arm the alarm tone's audio for the first gesture, then show the console.

import { render } from 'preact';
import { App } from './app';
import { unlockAudioOnFirstGesture } from './tone';

unlockAudioOnFirstGesture();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
