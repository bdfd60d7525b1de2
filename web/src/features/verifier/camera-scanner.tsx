import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Reads a card's QR code from the device camera: frames from `getUserMedia` are drawn on a
 * canvas and handed to jsQR a few times a second until a code is found, then the camera stops.
 * Nothing leaves the device.
 */
const scanIntervalMs = 200;

export function CameraScanner(props: { onText: (text: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { onText } = props;
  useEffect(() => {
    const element = video.current;
    if (!stream || !element) return;
    element.srcObject = stream;
    void element.play().catch(() => undefined);
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const timer = setInterval(() => {
      if (!context || element.videoWidth === 0) return;
      canvas.width = element.videoWidth;
      canvas.height = element.videoHeight;
      context.drawImage(element, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(frame.data, frame.width, frame.height);
      if (found?.data) {
        onText(found.data);
        setStream(null);
      }
    }, scanIntervalMs);
    return () => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    };
  }, [stream, onText]);
  const start = async () => {
    setProblem(null);
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment' },
        audio: false,
      });
      setStream(media);
    } catch {
      setProblem(t('verifier.camera.unavailable'));
    }
  };
  return (
    <div className="camera">
      {stream ? (
        <>
          <video
            ref={video}
            className="camera-view"
            muted
            playsInline
            aria-label={t('verifier.camera.video')}
          />
          <button type="button" className="button-secondary" onClick={() => setStream(null)}>
            {t('verifier.camera.stop')}
          </button>
        </>
      ) : (
        <button type="button" className="button-secondary" onClick={() => void start()}>
          {t('verifier.camera.start')}
        </button>
      )}
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
