import { ErrorCode, FacePayError } from '@facepay/protocol';

export interface CameraInfo {
  label: string;
  width: number;
  height: number;
  frameRate?: number;
  settings: Record<string, unknown>;
}

/**
 * Opens the front camera. getUserMedia's DOMException names become facepay codes so the
 * element can say how to fix each case.
 */
export async function openCamera(): Promise<{ stream: MediaStream; info: CameraInfo }> {
  if (!globalThis.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    throw new FacePayError(
      ErrorCode.UnsupportedBrowser,
      globalThis.isSecureContext ? 'This browser has no camera API' : 'The camera needs a secure (https) page',
    );
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  } catch (cause) {
    throw cameraError(cause);
  }
  const track = stream.getVideoTracks()[0];
  if (!track) {
    stopStream(stream);
    throw new FacePayError(ErrorCode.NoCamera, 'The camera gave no video track');
  }
  const settings = track.getSettings();
  return {
    stream,
    info: {
      label: track.label,
      width: settings.width ?? 0,
      height: settings.height ?? 0,
      ...(settings.frameRate === undefined ? {} : { frameRate: settings.frameRate }),
      settings: { ...settings, deviceId: undefined, groupId: undefined },
    },
  };
}

export function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function cameraError(cause: unknown): FacePayError {
  const name = cause instanceof DOMException || cause instanceof Error ? cause.name : '';
  const message = cause instanceof Error ? cause.message : String(cause);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new FacePayError(ErrorCode.CameraDenied, `Camera access was denied: ${message}`, { cause });
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new FacePayError(ErrorCode.NoCamera, `No usable camera: ${message}`, { cause });
    case 'NotReadableError':
    case 'AbortError':
      return new FacePayError(ErrorCode.CameraBusy, `The camera is in use or failed to start: ${message}`, { cause });
    default:
      return new FacePayError(ErrorCode.CameraBusy, `The camera could not start: ${name} ${message}`, { cause });
  }
}
