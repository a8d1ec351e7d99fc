import { isWebEmbedError } from '@webembed/core';

const status = document.querySelector<HTMLParagraphElement>('#status');
if (status) status.textContent = `Ready (${isWebEmbedError(null) ? 'error' : 'core loaded'})`;
