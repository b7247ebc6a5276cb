export { meaningWord, statusWord } from './helpers';
export { SignatureDialog, type SignatureDialogProps, signErrorText } from './SignatureDialog';
export { SignatureList } from './SignatureList';
export { SignaturePad } from './SignaturePad';
